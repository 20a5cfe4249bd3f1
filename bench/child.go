package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// runChild runs one case in a child process (this executable again with
// -child), so that the peak RSS it reports is the case's own, and returns
// the results the child printed. The child's progress goes to stderr.
func runChild(name string, cfg *Config, stderr io.Writer) ([]Result, error) {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	sizes := make([]string, len(cfg.Sizes))
	for i, s := range cfg.Sizes {
		sizes[i] = strconv.Itoa(s)
	}
	args := []string{"-child", "-cases", name, "-runs", strconv.Itoa(cfg.Runs), "-n", strconv.Itoa(cfg.N),
		"-sizes", strings.Join(sizes, ","), "-dir", cfg.Dir}
	if cfg.Log == nil {
		args = append(args, "-quiet")
	}
	if cfg.Phase != "" {
		args = append(args, "-phase", cfg.Phase)
	}
	cmd := exec.Command(exe, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("child process %s %s: %w", exe, strings.Join(args, " "), err)
	}
	var rs []Result
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r Result
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("child output %q: %w", line, err)
		}
		rs = append(rs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read child output: %w", err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("child process printed no result")
	}
	return rs, nil
}
