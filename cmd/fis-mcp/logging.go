package main

import (
	stdlog "log"

	"github.com/rs/zerolog"
)

// stdLogger adapts zerolog for libraries that take a *log.Logger.
func stdLogger(l zerolog.Logger) *stdlog.Logger {
	return stdlog.New(l.With().Str("source", "mcp-stdio").Logger(), "", 0)
}
