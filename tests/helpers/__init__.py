"""Test helpers: a local HTTP server for recorded responses, crawls in a child process."""
