package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// account is a seeded user with its API token.
type account struct {
	Username string
	Token    string
}

type accounts struct {
	trainees, managers []account
}

// seed logs the admin in, makes sure the site exists, creates the trainee
// and manager accounts through the admin API and logs each of them in.
// Accounts left by an earlier run with the same prefix get the new
// password instead, so a rerun works; for a fresh exam, use a new prefix
// (the exam's attempt limits and cooldown remember the old run).
func seed(ctx context.Context, c *client, rec *recorder, cfg config, nTrainees, nManagers int) (accounts, error) {
	admin, err := login(ctx, c, rec, cfg.Admin, cfg.Password)
	if err != nil {
		return accounts{}, fmt.Errorf("admin login as %q: %w", cfg.Admin, err)
	}
	if err := ensureSite(ctx, c, rec, admin, cfg.Site); err != nil {
		return accounts{}, err
	}
	// One random password for the run's accounts: they are throwaway, and
	// it is never printed.
	password := rand.Text()

	type job struct {
		username, name, role string
		slot                 *account
	}
	out := accounts{trainees: make([]account, nTrainees), managers: make([]account, nManagers)}
	jobs := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for range min(cfg.SeedConcurrency, nTrainees+nManagers) {
		wg.Go(func() {
			for j := range jobs {
				acct, err := seedAccount(ctx, c, rec, admin, cfg.Site, j.username, j.name, j.role, password)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					continue
				}
				*j.slot = acct
			}
		})
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(errs) > 0
	}
	for i := range nTrainees + nManagers {
		// After the first failure the rest would fail the same way: stop
		// feeding rather than pile up thousands of copies.
		if ctx.Err() != nil || failed() {
			break
		}
		j := job{username: fmt.Sprintf("%s-t%05d", cfg.Prefix, i+1), name: fmt.Sprintf("压测学员 %d", i+1), role: "trainee"}
		if i < nTrainees {
			j.slot = &out.trainees[i]
		} else {
			k := i - nTrainees
			j = job{username: fmt.Sprintf("%s-m%03d", cfg.Prefix, k+1), name: fmt.Sprintf("压测主管 %d", k+1), role: "manager", slot: &out.managers[k]}
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	return out, ctx.Err()
}

// seedAccount creates one account, or resets its password when an earlier
// run created it, and logs it in.
func seedAccount(ctx context.Context, c *client, rec *recorder, admin, site, username, name, role, password string) (account, error) {
	body := map[string]any{"username": username, "display_name": name, "legal_name": name, "roles": []string{role}, "sites": []string{site}, "password": password}
	status, err := c.do(ctx, rec, http.MethodPost, "/api/v1/users", admin, body, nil, http.StatusConflict)
	if err != nil {
		return account{}, err
	}
	if status == http.StatusConflict {
		path := "/api/v1/users/" + url.PathEscape(username) + "/password"
		if _, err := c.do(ctx, rec, http.MethodPost, path, admin, map[string]string{"password": password}, nil); err != nil {
			return account{}, err
		}
	}
	token, err := login(ctx, c, rec, username, password)
	return account{Username: username, Token: token}, err
}

func login(ctx context.Context, c *client, rec *recorder, username, password string) (string, error) {
	var res struct {
		Token string `json:"token"`
	}
	if _, err := c.do(ctx, rec, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, &res); err != nil {
		return "", err
	}
	if res.Token == "" {
		return "", fmt.Errorf("login of %s answered without a token", username)
	}
	return res.Token, nil
}

// ensureSite creates the site unless it exists.
func ensureSite(ctx context.Context, c *client, rec *recorder, admin, site string) error {
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if _, err := c.do(ctx, rec, http.MethodGet, "/api/v1/sites", admin, nil, &list); err != nil {
		return err
	}
	for _, s := range list.Items {
		if s.ID == site {
			return nil
		}
	}
	// 409: another load run created it meanwhile, which is as good.
	_, err := c.do(ctx, rec, http.MethodPost, "/api/v1/sites", admin, map[string]string{"id": site, "name": "压测小区 " + site}, nil, http.StatusConflict)
	return err
}
