// Echo load generator for tcplab's benchmarks (bench/echo/run.ts builds and drives it).
//
// It is written in Go so that on a 2-core machine the generator costs as little CPU as
// possible and both servers under test face the very same client. Three modes:
//
//	echo   closed loop: -conns connections, each with exactly one -size message in flight;
//	       every reply is compared byte for byte with what was sent (each message carries its
//	       sequence number and a per-connection pseudo-random window, so a reordered, stale or
//	       short reply cannot pass). Messages completing inside the -duration window after
//	       -warmup are counted; latency is write-start to last byte read.
//	hold   opens -conns connections (e.g. 10000), echoes one message on each, holds them all
//	       for -hold, echoes again on each, and reports how many survived both rounds.
//	flood  a peer that writes -size chunks on -conns connections for -duration and never reads:
//	       a server with backpressure stops reading once the kernel buffers fill, so the bytes
//	       the peer manages to write level off; a server without it buffers them in its heap.
//
// The result is one JSON object on stdout; progress lines go to stderr ("holding" marks the
// moment all hold-mode connections are open, so the caller can sample the server then).
// Exit status 0 when every message matched and no connection failed, 1 otherwise, 2 on bad flags.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Result is everything the caller reads; fields not used by a mode stay zero.
type Result struct {
	Mode       string  `json:"mode"`
	Addr       string  `json:"addr"`
	Conns      int     `json:"conns"`
	Size       int     `json:"size"`
	WarmupS    float64 `json:"warmupS"`
	DurationS  float64 `json:"durationS"`
	Messages   int64   `json:"messages"`
	MsgsPerSec float64 `json:"msgsPerSec"`
	MBPerSec   float64 `json:"mbPerSec"`
	P50Us      float64 `json:"p50Us"`
	P90Us      float64 `json:"p90Us"`
	P99Us      float64 `json:"p99Us"`
	P999Us     float64 `json:"p999Us"`
	MaxUs      float64 `json:"maxUs"`
	Mismatches int64   `json:"mismatches"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"firstError"`
	CPUUserS   float64 `json:"cpuUserS"`
	CPUSysS    float64 `json:"cpuSysS"`
	// hold mode
	Connected     int     `json:"connected"`
	ConnectS      float64 `json:"connectS"`
	FirstRoundOK  int     `json:"firstRoundOk"`
	SecondRoundOK int     `json:"secondRoundOk"`
	HoldS         float64 `json:"holdS"`
	// flood mode: cumulative bytes the peer had written at the end of each second
	BytesWritten  int64   `json:"bytesWritten"`
	WrittenPerSec []int64 `json:"writtenPerSec"`
}

type errorLog struct {
	mu    sync.Mutex
	count int64
	first string
}

func (e *errorLog) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count++
	if e.first == "" {
		e.first = err.Error()
	}
}

func main() {
	mode := flag.String("mode", "echo", "echo | hold | flood")
	addr := flag.String("addr", "127.0.0.1:6666", "server address host:port")
	conns := flag.Int("conns", 50, "number of connections")
	size := flag.Int("size", 64, "message size in bytes (flood: write chunk size)")
	duration := flag.Duration("duration", 5*time.Second, "measured time (echo, flood)")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time before -duration (echo)")
	hold := flag.Duration("hold", 10*time.Second, "how long hold mode keeps every connection open")
	dialers := flag.Int("dialers", 256, "concurrent dials while connecting")
	rate := flag.Float64("rate", 0, "echo, flood: messages (flood: writes of -size bytes) per second over all connections, paced (0: as fast as possible)")
	flag.Parse()
	if *conns < 1 || *size < 1 || *rate < 0 || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -conns and -size must be >= 1; no positional arguments")
		os.Exit(2)
	}
	res := Result{Mode: *mode, Addr: *addr, Conns: *conns, Size: *size}
	var errs errorLog
	cs, connectTime := dialAll(*addr, *conns, *dialers, &errs)
	res.Connected = len(cs)
	res.ConnectS = connectTime.Seconds()
	switch *mode {
	case "echo":
		runEcho(cs, *size, *warmup, *duration, *rate, &res, &errs)
	case "hold":
		runHold(cs, *size, *hold, &res, &errs)
	case "flood":
		runFlood(cs, *size, *duration, *rate, &res, &errs)
	default:
		fmt.Fprintf(os.Stderr, "loadgen: unknown -mode %q\n", *mode)
		os.Exit(2)
	}
	for _, c := range cs {
		c.Close()
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		res.CPUUserS = float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6
		res.CPUSysS = float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
	}
	res.Errors, res.FirstError = errs.count, errs.first
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if res.Errors > 0 || res.Mismatches > 0 || res.Connected < *conns {
		os.Exit(1)
	}
}

// dialAll opens n connections with at most `parallel` dials in flight (a 10k burst would
// overflow the listen backlog and turn into 1 s SYN retransmits, measuring the kernel instead).
func dialAll(addr string, n, parallel int, errs *errorLog) ([]net.Conn, time.Duration) {
	start := time.Now()
	cs := make([]net.Conn, n)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err != nil {
				errs.add(fmt.Errorf("dial: %w", err))
				return
			}
			cs[i] = c
		}(i)
	}
	wg.Wait()
	took := time.Since(start)
	ok := cs[:0]
	for _, c := range cs {
		if c != nil {
			ok = append(ok, c)
		}
	}
	return ok, took
}

// message fills send with message k of a connection: a window into the connection's random
// pattern, starting at k mod 256, with k itself in the first 8 bytes.
func message(send, pattern []byte, k uint64) {
	copy(send, pattern[k&255:])
	if len(send) >= 8 {
		binary.LittleEndian.PutUint64(send, k)
	}
}

func newPattern(id, size int) []byte {
	p := make([]byte, size+256)
	rand.New(rand.NewSource(int64(id)*7919 + 1)).Read(p)
	return p
}

// roundTrip sends one message and reads the reply; it reports a mismatch as an error.
func roundTrip(c net.Conn, send, recv []byte) error {
	if _, err := c.Write(send); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if _, err := io.ReadFull(c, recv); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if !bytes.Equal(send, recv) {
		return errMismatch
	}
	return nil
}

var errMismatch = errors.New("echo mismatch: reply differs from the message sent")

const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

func runEcho(cs []net.Conn, size int, warmup, duration time.Duration, rate float64, res *Result, errs *errorLog) {
	// Paced: connection i sends message k at start + (k + i/n) * interval (spread over the
	// interval, not in bursts); behind schedule it sends at once and catches up.
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(len(cs)) / rate * float64(time.Second))
	}
	start := time.Now()
	var phase int32
	var mismatches int64
	lats := make([][]int64, len(cs))
	var wg sync.WaitGroup
	// A reply still missing this long after the end means a stuck server, not a slow one.
	deadline := time.Now().Add(warmup + duration + 10*time.Second)
	for i, c := range cs {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			c.SetDeadline(deadline)
			pattern := newPattern(i, size)
			send, recv := make([]byte, size), make([]byte, size)
			lat := make([]int64, 0, 1<<14)
			for k := uint64(0); atomic.LoadInt32(&phase) != phaseStop; k++ {
				message(send, pattern, k)
				t := time.Now()
				if interval > 0 {
					// Paced: latency counts from when the message was due, not from when it left, so a
					// server stall is charged to every message it held back (no coordinated omission,
					// as in wrk2); this includes the generator's own lateness, alike for every server.
					next := start.Add(time.Duration(k)*interval + interval*time.Duration(i)/time.Duration(len(cs)))
					if d := next.Sub(t); d > 0 {
						time.Sleep(d)
					}
					t = next
				}
				err := roundTrip(c, send, recv)
				d := time.Since(t)
				if err == errMismatch {
					atomic.AddInt64(&mismatches, 1)
					errs.add(fmt.Errorf("conn %d message %d: %w", i, k, err))
					return // the stream is out of step; nothing after this can be checked
				}
				if err != nil {
					errs.add(fmt.Errorf("conn %d: %w", i, err))
					return
				}
				if atomic.LoadInt32(&phase) == phaseMeasure {
					lat = append(lat, int64(d))
				}
			}
			lats[i] = lat
		}(i, c)
	}
	time.Sleep(warmup)
	atomic.StoreInt32(&phase, phaseMeasure)
	t0 := time.Now()
	time.Sleep(duration)
	atomic.StoreInt32(&phase, phaseStop)
	elapsed := time.Since(t0)
	wg.Wait()
	all := make([]int64, 0)
	for _, l := range lats {
		all = append(all, l...)
	}
	res.WarmupS, res.DurationS = warmup.Seconds(), elapsed.Seconds()
	res.Mismatches = mismatches
	res.Messages = int64(len(all))
	res.MsgsPerSec = float64(len(all)) / elapsed.Seconds()
	res.MBPerSec = res.MsgsPerSec * float64(size) / 1e6
	percentiles(res, all)
}

// percentiles fills the result's latency quantiles (µs) from round-trip times in ns (sorted in place).
func percentiles(res *Result, ns []int64) {
	res.P50Us, res.P99Us, res.MaxUs = percentilesUs(ns)
	if len(ns) > 0 {
		res.P90Us = float64(ns[int(0.90*float64(len(ns)-1))]) / 1e3
		res.P999Us = float64(ns[int(0.999*float64(len(ns)-1))]) / 1e3
	}
}

func percentilesUs(ns []int64) (p50, p99, max float64) {
	if len(ns) == 0 {
		return 0, 0, 0
	}
	sort.Slice(ns, func(a, b int) bool { return ns[a] < ns[b] })
	at := func(q float64) float64 {
		i := int(q * float64(len(ns)-1))
		return float64(ns[i]) / 1e3
	}
	return at(0.50), at(0.99), float64(ns[len(ns)-1]) / 1e3
}

// echoEach runs one verified round trip on every connection in parallel and counts successes.
func echoEach(cs []net.Conn, size int, round uint64, errs *errorLog) (int, []int64) {
	var ok int64
	lat := make([]int64, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			send, recv := make([]byte, size), make([]byte, size)
			message(send, newPattern(i, size), round)
			t := time.Now()
			if err := roundTrip(c, send, recv); err != nil {
				errs.add(fmt.Errorf("conn %d round %d: %w", i, round, err))
				return
			}
			lat[i] = int64(time.Since(t))
			atomic.AddInt64(&ok, 1)
		}(i, c)
	}
	wg.Wait()
	return int(ok), lat
}

func runHold(cs []net.Conn, size int, hold time.Duration, res *Result, errs *errorLog) {
	fmt.Fprintf(os.Stderr, "loadgen: connected %d in %.2fs\n", len(cs), res.ConnectS)
	res.FirstRoundOK, _ = echoEach(cs, size, 1, errs)
	fmt.Fprintf(os.Stderr, "loadgen: holding %d connections for %s\n", len(cs), hold)
	time.Sleep(hold)
	var lat []int64
	res.SecondRoundOK, lat = echoEach(cs, size, 2, errs)
	res.HoldS = hold.Seconds()
	res.Messages = int64(res.FirstRoundOK + res.SecondRoundOK)
	percentiles(res, lat)
	if res.FirstRoundOK < res.Conns || res.SecondRoundOK < res.Conns {
		errs.add(fmt.Errorf("held %d/%d/%d of %d connections (connect/round 1/round 2)",
			res.Connected, res.FirstRoundOK, res.SecondRoundOK, res.Conns))
	}
}

func runFlood(cs []net.Conn, size int, duration time.Duration, rate float64, res *Result, errs *errorLog) {
	var written, writes int64
	start := time.Now()
	end := start.Add(duration)
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(len(cs)) / rate * float64(time.Second))
	}
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			c.SetWriteDeadline(end)
			chunk := newPattern(i, size)[:size]
			for k := int64(0); ; k++ {
				if interval > 0 {
					next := start.Add(time.Duration(k)*interval + interval*time.Duration(i)/time.Duration(len(cs)))
					if next.After(end) {
						return
					}
					if d := time.Until(next); d > 0 {
						time.Sleep(d)
					}
				}
				n, err := c.Write(chunk)
				atomic.AddInt64(&written, int64(n))
				atomic.AddInt64(&writes, 1)
				if err != nil {
					var ne net.Error
					if !(errors.As(err, &ne) && ne.Timeout()) {
						errs.add(fmt.Errorf("conn %d: %w", i, err))
					}
					return
				}
			}
		}(i, c)
	}
	fmt.Fprintf(os.Stderr, "loadgen: flooding on %d connections for %s\n", len(cs), duration)
	for s := 0; time.Now().Before(end); s++ {
		time.Sleep(time.Until(end.Add(-duration + time.Duration(s+1)*time.Second)))
		res.WrittenPerSec = append(res.WrittenPerSec, atomic.LoadInt64(&written))
	}
	wg.Wait()
	res.DurationS = duration.Seconds()
	res.BytesWritten = written
	res.Messages = writes
	res.MsgsPerSec = float64(writes) / duration.Seconds()
}
