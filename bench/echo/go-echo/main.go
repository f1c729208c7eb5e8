// Reference echo server for the benchmarks, written the way the project's seed server was:
// one goroutine per connection, a 1024-byte read buffer, every read written straight back,
// no connection limit, listening on all interfaces at port 6666 unless -addr says otherwise.
//
// It is the yardstick tcplab's `serve` is measured against (bench/echo/run.ts builds it into a
// temporary directory at bench time; no binary is ever committed). Keep it naive on purpose:
// its speed is the baseline, so "improving" it would move the goalposts. The one knob, -buf, exists
// only so the harness can also show the same server reading 64 KiB at a time (server "go64k"), to
// see how much of a gap the read size alone explains; the reference always runs with 1024.
// -discard turns it into a sink (reads, never writes): the capture benchmark's one-way load.
package main

import (
	"flag"
	"log"
	"net"
)

func main() {
	addr := flag.String("addr", ":6666", "listen address (host:port)")
	bufSize := flag.Int("buf", 1024, "read buffer size in bytes (the seed's is 1024)")
	discard := flag.Bool("discard", false, "read and drop everything (a sink, not an echo)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("go-echo: %v", err)
	}
	log.Printf("go-echo: listening on %s", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			// EMFILE and friends: the seed logged and carried on.
			log.Printf("go-echo: accept: %v", err)
			continue
		}
		go handle(conn, *bufSize, *discard)
	}
}

func handle(conn net.Conn, bufSize int, discard bool) {
	defer conn.Close()
	buf := make([]byte, bufSize)
	for {
		n, err := conn.Read(buf)
		if n > 0 && !discard {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
