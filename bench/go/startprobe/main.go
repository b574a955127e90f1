// Command startprobe starts a server and measures, from just before exec, the time until a
// URL answers 200, then its resident memory once it has settled. It prints one JSON line.
//
//	startprobe -url http://127.0.0.1:8080/ready -settle 1s -- ./server args...
//
// The server's stdout and stderr go to /dev/null; it gets SIGTERM afterwards (SIGKILL if it
// has not exited within -stop).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type result struct {
	ReadyMs  float64 `json:"readyMs"`
	Attempts int     `json:"attempts"`
	RSSKiB   int     `json:"rssKiB"`
	HWMKiB   int     `json:"hwmKiB"`
	Status   int     `json:"status"`
}

func main() {
	url := flag.String("url", "", "URL that answers 200 once the server is ready")
	settle := flag.Duration("settle", time.Second, "wait this long after ready before reading VmRSS")
	timeout := flag.Duration("timeout", 15*time.Second, "give up after this long")
	poll := flag.Duration("poll", 200*time.Microsecond, "pause between attempts")
	stop := flag.Duration("stop", 3*time.Second, "SIGKILL if the server has not exited this long after SIGTERM")
	flag.Parse()
	if *url == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: startprobe -url URL [-settle 1s] -- command [args...]")
		os.Exit(2)
	}
	res, err := probe(*url, *settle, *timeout, *poll, *stop, flag.Args())
	if err != nil {
		fmt.Fprintf(os.Stderr, "startprobe: %v\n", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

func probe(url string, settle, timeout, poll, stop time.Duration, argv []string) (res result, err error) {
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil // /dev/null
	exited := make(chan error, 1)

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start: %w", err)
	}
	go func() { exited <- cmd.Wait() }()
	defer shutdown(cmd, exited, stop)

	for {
		res.Attempts++
		resp, getErr := client.Get(url)
		if getErr == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			res.Status = resp.StatusCode
			if resp.StatusCode == http.StatusOK {
				res.ReadyMs = float64(time.Since(start).Microseconds()) / 1000
				break
			}
		}
		select {
		case werr := <-exited:
			exited <- werr
			return res, fmt.Errorf("server exited before it was ready: %v", werr)
		default:
		}
		if time.Since(start) > timeout {
			return res, fmt.Errorf("not ready within %s (last status %d, last error %v)", timeout, res.Status, getErr)
		}
		time.Sleep(poll)
	}
	time.Sleep(settle)
	res.RSSKiB, res.HWMKiB = memory(cmd.Process.Pid)
	return res, nil
}

func memory(pid int) (rss, hwm int) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1, -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

func shutdown(cmd *exec.Cmd, exited chan error, stop time.Duration) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(stop):
		_ = cmd.Process.Kill()
		<-exited
	}
}
