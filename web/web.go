// Package web holds the templates, static assets and UI translations,
// embedded so that the binary is self-contained.
package web

import "embed"

// FS contains templates/, static/ and locales/.
//
//go:embed all:templates static locales
var FS embed.FS
