// Package profiling serves Go's profiles (net/http/pprof) on the admin port, in binaries
// built with -tags pprof only: net/http/pprof links runtime/pprof, the profile encoder and
// compress/flate, about 520 KB, a twentieth of the binary, for a page most pods never serve.
// Build a profiling image when one is needed (make build GO_BUILD_TAGS=pprof, docker build
// --build-arg GO_BUILD_TAGS=pprof) and run it with PPROF=true; without the tag, PPROF=true
// stops the service at start with a line naming the tag.
package profiling
