package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// environment describes the machine and the software a run measured on.
func environment() string {
	parts := []string{
		fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH),
		fmt.Sprintf("%d CPUs", runtime.NumCPU()),
	}
	if cpu := procField("/proc/cpuinfo", "model name"); cpu != "" {
		parts = append(parts, cpu)
	}
	if mem := procField("/proc/meminfo", "MemTotal"); mem != "" {
		parts = append(parts, "memory "+mem)
	}
	if v, err := sqliteVersion(); err == nil {
		parts = append(parts, "SQLite "+v+" (ncruces/go-sqlite3 v0.37.0)")
	}
	return strings.Join(parts, ", ")
}

// sqliteVersion returns select sqlite_version() of an in-memory database.
func sqliteVersion() (string, error) {
	conn, err := sqlite3.Open(":memory:")
	if err != nil {
		return "", err
	}
	defer conn.Close()
	return queryText(conn, `SELECT sqlite_version()`)
}

// procField returns the value of the first "key: value" line of a /proc
// file, or "" where there is none.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
