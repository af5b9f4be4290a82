package mongo_test

import (
	"os"
	"testing"

	"github.com/academy/academy/internal/mongo/mongotest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Main(m)) }
