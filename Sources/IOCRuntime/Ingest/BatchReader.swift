import Dispatch
import IOCCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-shot flag set from a signal handler and polled by loops.
public final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { value.load(ordering: .acquiring) }
    public func set() { value.store(true, ordering: .releasing) }
}

/// Parks a pipeline thread until another stage has work for it: a short spin (a busy pipeline reacts within
/// microseconds), then a sleep on a semaphore that the other side signals (an idle one costs no CPU).
///
/// The sleeper publishes `sleeping` before its last check and the waker reads it after publishing its change,
/// both sequentially consistent, so a wake-up cannot be lost; the timed wait is only a safety net.
final class Waiter: @unchecked Sendable {
    private let sleeping = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)

    /// Repeats `attempt` until it gives a value; `idle` runs each time a timed sleep ends with nothing to do
    /// (about every 20 ms on a quiet input), so housekeeping such as a rules reload does not wait for data.
    func wait<T>(idle: () -> Void = {}, _ attempt: () -> T?) -> T {
        var spins = 0
        while true {
            if let value = attempt() { return value }
            // Spinning longer only steals the core from the stage being waited for (2 cores, 4 threads).
            spins += 1
            if spins < 64 { continue }
            if spins < 68 {
                sched_yield()
                continue
            }
            sleeping.store(true, ordering: .sequentiallyConsistent)
            if let value = attempt() {
                sleeping.store(false, ordering: .relaxed)
                return value
            }
            let timedOut = semaphore.wait(timeout: .now() + .milliseconds(20)) == .timedOut
            sleeping.store(false, ordering: .relaxed)
            if timedOut { idle() }
        }
    }

    /// Tells the thread parked here that something changed.
    func wake() {
        // The change being announced (a ring index, a release store) must be visible before `sleeping` is read:
        // without this fence the load can pass the store and a wake-up is lost.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) { semaphore.signal() }
    }
}

/// Where a pipeline's bytes come from.
public enum InputSource: @unchecked Sendable {
    /// A file path, or `-` for stdin.
    case path(String)
    /// Bytes already in memory (`ioc bench`); `name` is what dead letters call it.
    case memory(name: String, bytes: UnsafeRawBufferPointer)
}

/// What to do when the parse stage is full (`--when-full`).
public enum WhenFull: String, Sendable {
    /// Wait: nothing is lost, the reader slows down to the pipeline's pace.
    case block
    /// Drop the newest batch and count its lines in `pipeline.dropped`.
    case drop
}

/// Reads the inputs in order with `read(2)` into pooled batches cut at line ends, and deals them round-robin to
/// the parse workers' rings. Runs on its own thread.
///
/// A line that does not end in a batch is carried to the front of the next one; a line longer than `maxLine` is
/// never buffered whole: its first bytes are kept for the dead-letter record and the rest is skipped up to the next
/// `\n`. A UTF-8 byte order mark at the start of an input is dropped.
public final class BatchReader: @unchecked Sendable {
    public let inputs: [InputSource]
    public let workers: [SPSCRing<Batch>]
    /// Where each worker parks (woken after a push to its ring).
    let workerWaiters: [Waiter]
    /// Where the reader parks (woken when a batch is recycled or a worker takes one).
    let waiter = Waiter()
    /// Batches coming back from the aggregator.
    public let free: SPSCRing<Batch>
    let stop: StopFlag
    let maxLine: Int
    let batchSize: Int
    let whenFull: WhenFull
    /// Lines dropped by `--when-full drop`.
    public let dropped = Atomic<Int>(0)
    /// Batches the reader holds (reader thread only).
    private var stash: [Batch] = []
    private var nextWorker = 0
    /// Source indices handed out so far, and those of ended sources ready for reuse (a long-running listener
    /// sees many connections; their indices, and the aggregator's names for them, are recycled).
    private var sourceCount: Int32 = 0
    private var freeSourceIndices: [Int32] = []
    /// Physical lines per source in no batch since its last batch that went on (dropped by `--when-full drop`,
    /// or blank ones longer than `--max-line`, skipped unread): line numbers count them.
    var droppedLinesBefore: [Int32: Int] = [:]
    /// Live inputs read after the files (`--listen`, `--follow`), or nil.
    let live: LiveInputs?

    /// The batch that ends the stream (after every input), with `failure` set when reading failed.
    public final class EndMarker: @unchecked Sendable {
        public var failure: IOFailure?
    }
    public let end = EndMarker()

    init(
        inputs: [InputSource], workers: [SPSCRing<Batch>], workerWaiters: [Waiter], free: SPSCRing<Batch>,
        stop: StopFlag, maxLine: Int, batchSize: Int, whenFull: WhenFull, live: LiveInputs? = nil
    ) {
        self.live = live
        self.workerWaiters = workerWaiters
        self.inputs = inputs
        self.workers = workers
        self.free = free
        self.stop = stop
        self.maxLine = maxLine
        self.batchSize = batchSize
        self.whenFull = whenFull
    }

    /// Opens an input for reading: `-` is stdin.
    public static func open(_ path: String) throws(IOFailure) -> Int32 {
        if path == "-" { return STDIN_FILENO }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure(path: path, errno: errno) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            throw IOFailure(path: path, reason: "Is a directory")
        }
        return fd
    }

    /// The reader loop. Ends by sending a batch marked `isEndOfInput`; a read failure is in `end.failure`.
    public func run() {
        for input in inputs {
            if stop.isSet { break }
            guard case .path(let path) = input else {
                if case .memory(let name, let bytes) = input { pumpMemory(bytes, name: name) }
                continue
            }
            let fd: Int32
            do {
                fd = try BatchReader.open(path)
            } catch {
                end.failure = error
                break
            }
            let failure = pump(fd, name: path == "-" ? "stdin" : path)
            if fd != STDIN_FILENO { Glibc.close(fd) }
            if let failure {
                end.failure = failure
                break
            }
        }
        if let live, end.failure == nil { runLive(live) }
        let marker = takeBatch()
        marker.reset()
        marker.isEndOfInput = true
        send(marker, droppable: false)
    }

    /// A source index for a new source (one that ended is reused).
    func newSourceIndex() -> Int32 {
        if let i = freeSourceIndices.popLast() { return i }
        sourceCount += 1
        return sourceCount - 1
    }

    /// `index` may be given to a new source once its last batch has been sent (batches are applied in order).
    func releaseSourceIndex(_ index: Int32) { freeSourceIndices.append(index) }

    /// Whether a batch can be had without waiting.
    var hasFreeBatch: Bool {
        if !stash.isEmpty { return true }
        guard let b = free.tryPop() else { return false }
        b.reset()
        stash.append(b)
        return true
    }

    /// Counts lines dropped by `--when-full drop` before they made a batch.
    func countDropped(source: Int32, physical: Int, lines: Int) {
        dropped.add(lines, ordering: .relaxed)
        droppedLinesBefore[source, default: 0] += physical
    }

    func takeBatch() -> Batch {
        if let b = stash.popLast() { return b }
        let b = waiter.wait { free.tryPop() }
        b.reset()
        return b
    }

    /// Hands `batch` to the next worker; under `--when-full drop` a full ring drops it (counting its lines).
    func send(_ batch: Batch, droppable: Bool) {
        if !droppedLinesBefore.isEmpty, let n = droppedLinesBefore.removeValue(forKey: batch.source) {
            batch.linesBefore += n
        }
        let ring = workers[nextWorker]
        if ring.tryPush(batch) {
            workerWaiters[nextWorker].wake()
            nextWorker = (nextWorker + 1) % workers.count
            return
        }
        if droppable && whenFull == .drop && batch.beginsSource == nil && !batch.endsSource
            && batch.tooLongBefore == nil
        {
            // Blank lines are not lines (SPEC §2), but every physical line still counts for line numbers.
            let (physical, lines) = BatchReader.countLines(batch.input)
            dropped.add(lines, ordering: .relaxed)
            droppedLinesBefore[batch.source, default: 0] += physical + batch.linesBefore
            batch.reset()
            stash.append(batch)
            return
        }
        waiter.wait { ring.tryPush(batch) ? () : nil }
        workerWaiters[nextWorker].wake()
        nextWorker = (nextWorker + 1) % workers.count
    }

    /// The offset just past the last `\n` of `bytes`, or nil. Lines are short, so scanning back is cheap.
    ///
    /// - Complexity: O(length of the last partial line).
    static func afterLastNewline(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = bytes.count - 1
        while i >= 0 {
            if bytes[i] == 0x0A { return i + 1 }
            i -= 1
        }
        return nil
    }

    /// Physical lines in `bytes` (a final line without `\n` included), and those that are not blank.
    static func countLines(_ bytes: UnsafeRawBufferPointer) -> (physical: Int, lines: Int) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return (0, 0) }
        var start = 0
        var physical = 0
        var lines = 0
        while start < bytes.count {
            let end = memchr(base + start, 0x0A, bytes.count - start).map { UnsafeRawPointer($0) - base } ?? bytes.count
            physical += 1
            if !isBlank(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) { lines += 1 }
            start = end + 1
        }
        return (physical, lines)
    }

    /// A blank line as the parse stage sees one (SPEC §2): only spaces and tabs, before an optional `\r`.
    static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        var n = line.count
        if n > 0 && line[n - 1] == 0x0D { n -= 1 }
        for i in 0..<n where line[i] != 0x20 && line[i] != 0x09 { return false }
        return true
    }

    /// Reads one input to its end (or until stopped).
    /// Feeds bytes already in memory through the same batching as a file.
    private func pumpMemory(_ bytes: UnsafeRawBufferPointer, name: String) {
        var offset = 0
        _ = pump(name: name, isRegular: true, fd: -1) { buffer, capacity in
            let n = min(capacity, bytes.count - offset)
            if n > 0 { memcpy(buffer, bytes.baseAddress! + offset, n) }
            offset += n
            return n
        }
    }

    private func pump(_ fd: Int32, name: String) -> IOFailure? {
        var st = stat()
        let isRegular = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        if !isRegular {
            // A bigger pipe buffer means fewer wake-ups for `cat file | ioc run` (F_SETPIPE_SZ; best effort).
            _ = fcntl(fd, 1031, 1 << 20)
        }
        return pump(name: name, isRegular: isRegular, fd: fd) { buffer, capacity in read(fd, buffer, capacity) }
    }

    /// The batching loop over any byte source: `readInto(buffer, capacity)` returns bytes read, 0 at the end,
    /// or -1 with `errno` set.
    private func pump(
        name: String, isRegular: Bool, fd: Int32, readInto: (UnsafeMutableRawPointer, Int) -> Int
    ) -> IOFailure? {
        let sourceIndex = newSourceIndex()
        var batch = takeBatch()
        batch.beginsSource = name
        batch.source = sourceIndex
        var atStart = true
        var discarding = false
        /// The first bytes of the over-long line being skipped: its record goes with the batch after it.
        var overlong = OverlongPrefix()
        var failure: IOFailure?

        reading: while !stop.isSet {
            if !isRegular && !waitReadable(fd) { break }
            if batch.count == batch.capacity {
                // One line fills the batch: move it to a bigger one (it is at most maxLine + 2 bytes).
                let bigger = Batch(capacity: min(batch.capacity * 2, maxLine + 2), oversized: true)
                bigger.source = batch.source
                bigger.beginsSource = batch.beginsSource
                bigger.tooLongBefore = batch.tooLongBefore
                memcpy(bigger.storage.baseAddress!, batch.storage.baseAddress!, batch.count)
                bigger.count = batch.count
                recycle(batch)
                batch = bigger
            }
            let n = readInto(batch.storage.baseAddress! + batch.count, batch.capacity - batch.count)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                failure = IOFailure(path: name, errno: errno)
                break
            }
            if n == 0 { break }
            let readStart = batch.count
            batch.count += n
            if atStart {
                // A BOM may arrive split over reads (a pipe written a byte at a time): decide once three bytes are
                // in, or as soon as the first ones cannot begin one.
                switch ByteOrderMark.prefix(UnsafeRawBufferPointer(rebasing: batch.storage[0..<batch.count])) {
                case .whole:
                    memmove(batch.storage.baseAddress!, batch.storage.baseAddress! + 3, batch.count - 3)
                    batch.count -= 3
                    atStart = false
                case .partial:
                    continue reading
                case .none:
                    atStart = false
                }
            }
            if discarding {
                // Skip the rest of an over-long line, keeping its first bytes.
                let region = UnsafeRawBufferPointer(rebasing: batch.storage[readStart..<batch.count])
                guard let nl = memchr(region.baseAddress!, 0x0A, region.count) else {
                    overlong.add(region)
                    batch.count = readStart
                    continue
                }
                overlong.add(UnsafeRawBufferPointer(rebasing: region[..<(UnsafeRawPointer(nl) - region.baseAddress!)]))
                endOverlong(overlong, of: batch)
                let after = UnsafeRawPointer(nl) - region.baseAddress! + readStart + 1
                let rest = batch.count - after
                memmove(batch.storage.baseAddress! + readStart, batch.storage.baseAddress! + after, rest)
                batch.count = readStart + rest
                discarding = false
            }
            // Cut after the last complete line; carry the rest into a fresh batch.
            guard
                let cut = BatchReader.afterLastNewline(UnsafeRawBufferPointer(rebasing: batch.storage[0..<batch.count]))
            else {
                if batch.count > maxLine + 1 {
                    startDiscarding(&batch, lineStart: 0, overlong: &overlong)
                    discarding = true
                }
                continue reading
            }
            let tail = batch.count - cut
            if tail > maxLine + 1 {
                // The partial line after the cut is already too long.
                let next = takeBatch()
                next.source = batch.source
                overlong.start(UnsafeRawBufferPointer(rebasing: batch.storage[cut..<batch.count]))
                batch.count = cut
                batch.stampRead()
                send(batch, droppable: true)
                batch = next
                discarding = true
                continue reading
            }
            let next = tail > batchSize ? Batch(capacity: min(tail * 2, maxLine + 2), oversized: true) : takeBatch()
            next.source = batch.source
            if tail > 0 { memcpy(next.storage.baseAddress!, batch.storage.baseAddress! + cut, tail) }
            next.count = tail
            batch.count = cut
            batch.stampRead()
            send(batch, droppable: true)
            batch = next
        }
        // End of this input: whatever is left is its last line (without `\n`).
        if discarding {
            batch.count = 0
            endOverlong(overlong, of: batch)
        }
        batch.endsSource = true
        batch.stampRead()
        send(batch, droppable: false)
        releaseSourceIndex(sourceIndex)
        return failure
    }

    /// The line starting at `lineStart` is too long: keep its first bytes in `overlong` (its record goes with the
    /// batch after it, once the line ends) and drop the rest.
    private func startDiscarding(_ batch: inout Batch, lineStart: Int, overlong: inout OverlongPrefix) {
        overlong.start(UnsafeRawBufferPointer(rebasing: batch.storage[lineStart..<batch.count]))
        if batch.tooLongBefore != nil || lineStart > 0 {
            // Flush what comes before it so the order of records is kept.
            let next = takeBatch()
            next.source = batch.source
            batch.count = lineStart
            batch.stampRead()
            send(batch, droppable: false)
            batch = next
        }
        batch.count = 0
    }

    /// The over-long line `overlong` gathered has ended: its record goes with `batch` (the next of its source),
    /// unless it was blank.
    func endOverlong(_ overlong: OverlongPrefix, of batch: Batch) {
        if let record = endedOverlongRecord(overlong, source: batch.source) { batch.tooLongBefore = record }
    }

    /// The `line_too_long` record of an over-long line of `source` that has ended; nil when it was blank, which is
    /// no line (SPEC §2) and only counts for the line numbers after it. The file and the live readers share it.
    func endedOverlongRecord(_ overlong: OverlongPrefix, source: Int32) -> [UInt8]? {
        guard !overlong.isBlank else {
            droppedLinesBefore[source, default: 0] += 1
            return nil
        }
        return overlong.record()
    }

    func recycle(_ batch: Batch) {
        if !batch.isOversized {
            batch.reset()
            stash.append(batch)
        }
    }

    /// Waits for data in short slices so a signal can stop a reader blocked on a quiet pipe.
    private func waitReadable(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !stop.isSet {
            let r = poll(&pfd, 1, 200)
            if r > 0 { return true }
            if r < 0 && errno != EINTR { return true }  // let read(2) report the error
        }
        return false
    }
}

extension Batch {
    /// Records when the reader handed the batch on (wall clock for `future`, monotonic for latency).
    func stampRead() {
        readAt = wallClockNanoseconds()
        readMonotonic = monotonicNanoseconds()
    }
}

/// CPU time of the calling thread, nanoseconds (busy time of a stage, whatever else shares the cores).
public func threadCPUNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// A monotonic clock, nanoseconds.
public func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
