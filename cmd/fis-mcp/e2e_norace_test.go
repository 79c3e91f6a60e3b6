//go:build !race

package main

// raceBuild is true when the tests run with -race: the end-to-end tests then build the
// server binary with the race detector too, so data races in the product fail them.
const raceBuild = false
