// Command wget is the part of busybox's wget that the generated chart's `helm test` pod uses
// (`wget -q -O - -T SECONDS URL`), for the suite's busybox stand-in image. Debian's static
// busybox resolves names through glibc's NSS, which a static binary cannot load: its wget
// crashes (SIGSEGV) on the first name lookup in a pod. Go's own resolver reads
// /etc/resolv.conf and needs nothing else. Exit 0 on a 2xx answer (the body on stdout), 1 otherwise.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	flag.Bool("q", false, "quiet (always)")
	out := flag.String("O", "-", "output file; only - (stdout) is supported")
	timeout := flag.Int("T", 10, "timeout in seconds")
	flag.Parse()
	if flag.NArg() != 1 || *out != "-" {
		fmt.Fprintln(os.Stderr, "usage: wget [-q] -O - [-T SECONDS] URL")
		os.Exit(2)
	}
	client := http.Client{Timeout: time.Duration(*timeout) * time.Second}
	resp, err := client.Get(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "wget:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, "wget:", err)
		os.Exit(1)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintln(os.Stderr, "wget: server returned", resp.Status)
		os.Exit(1)
	}
}
