// This file opens business packets on several goroutines and commits the
// results in the order the packets were framed, so that the output is the
// same as opening them one by one.

package decrypt

import (
	"errors"
	"sync"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// job is one payload on its way out: ready (plain HTTP requests), with
// its parts known (Longlink commands without inner encryption), a plain
// HTTP body to inflate, or a business packet to open.
type job struct {
	c     *conn
	base  *payload.Payload
	send  bool             // base is the payload, ready to go
	ready *business.Packet // the parts, known without opening

	body     []byte // a plain HTTP body, inflated if it inflates; owned by the job
	inflated []byte // set by the worker, with ok
	ok       bool

	pkt  []byte                // the packet to open; owned by the job
	buf  []byte                // the array holding pkt, released after commit
	then func(business.Packet) // called at commit when it opened

	// Set by the worker: the snapshot it opened with and what its AuthState
	// had learned after.
	base0, after business.Snapshot
	opened       business.Packet
	err          error
	batch        *batch // the batch it is opened in; nil when opened at commit
}

// size is what a job sent to a worker counts towards maxQueuedBytes.
func (j *job) size() int { return len(j.pkt) + len(j.body) }

// batch is jobs handed to a worker at once: one wake-up per batch rather
// than per packet, which on the real capture cost more CPU (futex and
// scheduler time) than the parallel opening saved.
type batch struct {
	jobs  []*job
	bytes int
	done  chan struct{} // closed when every job is opened
}

// Batch bounds: a batch is sent when it holds batchJobs packets or
// batchBytes of them.
const (
	batchJobs  = 16
	batchBytes = 256 << 10
)

// In-flight bounds, so that memory does not depend on what a hostile
// capture puts in its packets: at most maxQueuedBytes of packets wait to be
// committed, and a worker inflates a payload to at most workerMaxInflate;
// a packet whose payload would be larger is opened again, with the run's
// own caps, when it is committed (real payloads are a few KiB).
const maxQueuedBytes = 4 << 20

var workerMaxInflate = 1 << 20 // a variable for tests

// orderer keeps the jobs submitted and not yet committed, in order. With
// fewer than two workers it opens and commits each job at once, on the
// caller's goroutine.
type orderer struct {
	d       *decrypter
	queue   []*job // queue[head:] are waiting, oldest first
	head    int
	filling *batch // jobs not yet sent to a worker
	work    chan *batch
	wg      sync.WaitGroup
	workers int
	// maxQueued bounds the jobs in flight: each holds its packet and,
	// once opened, its plaintexts (at most workerMaxInflate each).
	maxQueued   int
	queuedBytes int // sizes of the jobs in flight
	// free holds committed jobs for reuse: a run submits one per payload,
	// and they were a tenth of what it allocated.
	free []*job
}

// newJob returns a job holding jv, reusing a committed one if there is.
func (o *orderer) newJob(jv job) *job {
	jv.c.jobs++
	var j *job
	if n := len(o.free); n > 0 {
		j = o.free[n-1]
		o.free = o.free[:n-1]
	} else {
		j = new(job) // not &jv, which would move every jv to the heap
	}
	*j = jv
	return j
}

// done ends a committed job: its conn may now be reused, and the job.
// Nothing refers to j any more (its batch, if any, is done).
func (o *orderer) done(j *job) {
	j.c.jobs--
	j.c.reuseIfDone()
	*j = job{}
	o.free = append(o.free, j)
}

func (o *orderer) start(d *decrypter, workers int) {
	o.d = d
	o.workers = workers
	if workers < 2 {
		return
	}
	o.maxQueued = 2 * batchJobs * workers
	o.work = make(chan *batch, workers)
	for range workers {
		o.wg.Add(1)
		go o.worker()
	}
}

// worker opens packets with its own AuthState (own cipher cache and scratch),
// restored to the snapshot each job was submitted with.
func (o *orderer) worker() {
	defer o.wg.Done()
	main := &o.d.biz.st
	st := business.AuthState{MaxInflate: min(main.MaxInflate, int64(workerMaxInflate)), MaxInflateTotal: main.MaxInflateTotal, Alloc: main.Alloc}
	for b := range o.work {
		for _, j := range b.jobs {
			st.Restore(j.base0)
			if j.body != nil {
				j.inflated, j.ok = inflateBody(&st, j.body)
			} else {
				j.opened, j.err = business.Open(j.pkt, o.d.keys, &st)
			}
			j.after = st.Snapshot()
		}
		close(b.done)
	}
}

// submit queues a job; in parallel mode it commits what is done at the
// head of the queue, and waits for the oldest job when the queue is full.
func (o *orderer) submit(jv job) {
	j := o.newJob(jv)
	if o.workers < 2 {
		o.commit(j)
		return
	}
	if !j.send && j.ready == nil {
		j.base0 = o.d.biz.st.Snapshot()
		if o.filling == nil {
			o.filling = &batch{jobs: make([]*job, 0, batchJobs), done: make(chan struct{})}
		}
		b := o.filling
		j.batch = b
		b.jobs = append(b.jobs, j)
		b.bytes += j.size()
		o.queuedBytes += j.size()
		if len(b.jobs) >= batchJobs || b.bytes >= batchBytes {
			o.send()
		}
	}
	o.queue = append(o.queue, j)
	o.commitDone(false)
	for n := len(o.queue) - o.head; n >= o.maxQueued || n > 1 && o.queuedBytes > maxQueuedBytes; n = len(o.queue) - o.head {
		o.commitDone(true)
	}
}

// send hands the batch being filled to a worker.
func (o *orderer) send() {
	if o.filling != nil {
		o.work <- o.filling
		o.filling = nil
	}
}

// commitDone commits jobs from the head of the queue while they are done;
// with wait set it first waits for the head.
func (o *orderer) commitDone(wait bool) {
	defer o.compact()
	for o.head < len(o.queue) {
		j := o.queue[o.head]
		if b := j.batch; b != nil {
			if b == o.filling {
				if !wait {
					return
				}
				o.send()
			}
			if wait {
				<-b.done
				wait = false
			} else {
				select {
				case <-b.done:
				default:
					return
				}
			}
		}
		o.queue[o.head] = nil
		o.head++
		o.commit(j)
	}
}

// compact moves the waiting jobs to the front once the committed prefix
// is as long as they are.
func (o *orderer) compact() {
	if o.head > 0 && o.head >= len(o.queue)-o.head {
		n := copy(o.queue, o.queue[o.head:])
		clear(o.queue[n:])
		o.queue, o.head = o.queue[:n], 0
	}
}

// finish commits every job left and stops the workers.
func (o *orderer) finish() {
	for o.head < len(o.queue) {
		o.commitDone(true)
	}
	o.stop()
}

// stop stops the workers without committing (the run failed).
func (o *orderer) stop() {
	if o.work != nil {
		close(o.work)
		o.wg.Wait()
		o.work = nil
	}
}

// commit hands a job's payloads on, on the run's goroutine, in order. A
// packet opened with a snapshot the run's AuthState has since outgrown is
// opened again here, so that every packet sees the keys learned before it.
func (o *orderer) commit(j *job) {
	c, st := j.c, &o.d.biz.st
	defer o.done(j)
	if j.batch != nil {
		o.queuedBytes -= j.size()
	}
	if j.send {
		o.d.send(j.base)
		o.d.release(j.base.Payload)
		return
	}
	if j.ready != nil {
		c.emitParts(j.base, *j.ready)
		return
	}
	if j.body != nil {
		inflated, ok := j.inflated, j.ok
		if j.batch == nil || !st.Reproduces(j.base0, j.after) {
			inflated, ok = inflateBody(st, j.body)
		} else {
			st.Merge(j.base0, j.after)
		}
		setBody(j.base, j.body, inflated, ok)
		o.d.send(j.base)
		o.d.release(j.body)
		if ok {
			o.d.release(inflated)
		}
		return
	}
	defer o.d.release(j.buf)
	opened, err := j.opened, j.err
	if j.batch == nil || !st.Reproduces(j.base0, j.after) {
		opened, err = business.Open(j.pkt, o.d.keys, st)
	} else {
		st.Merge(j.base0, j.after)
	}
	if err != nil {
		var oe *business.OpenError
		if c.d.live != nil && errors.As(err, &oe) && c.d.live.hold(c, j.base, j.pkt, j.then, oe.Reason) {
			return
		}
		c.d.stats.PayloadsNotDecrypted[openFailure(err)]++
		return
	}
	if j.then != nil {
		j.then(opened)
	}
	c.emitParts(j.base, opened)
}

// openFailure is the Stats reason of a packet Open refused.
func openFailure(err error) string {
	var oe *business.OpenError
	if errors.As(err, &oe) {
		return "inner: " + oe.Reason
	}
	return taxonomy.ReasonInnerFailure
}
