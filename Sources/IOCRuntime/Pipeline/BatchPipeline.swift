import Foundation
import IOCCore
import Synchronization

/// Rules shared with the parse workers, swapped on SIGHUP.
final class RulesBox: Sendable {
    private let state: Mutex<(version: Int, rules: Rules)>
    private let versionNumber = Atomic<Int>(0)

    init(_ rules: Rules) { state = Mutex((0, rules)) }

    var version: Int { versionNumber.load(ordering: .acquiring) }
    var current: (version: Int, rules: Rules) { state.withLock { $0 } }

    func update(_ rules: Rules) {
        state.withLock { $0 = ($0.version + 1, rules) }
        versionNumber.add(1, ordering: .releasing)
    }
}

/// Where the time goes, for `ioc bench`: busy time per stage and read→applied latency per batch.
public final class PipelineStats: @unchecked Sendable {
    /// Nanoseconds spent parsing, summed over workers.
    let parseNanos = Atomic<Int>(0)
    /// Nanoseconds the aggregator spent applying batches (its thread only).
    public internal(set) var applyNanos = 0
    /// (latency ns, events) per batch (aggregator thread only).
    public internal(set) var latencies: [(nanos: Int64, events: Int)] = []
    /// Events applied so far (read by a progress printer on another thread).
    let appliedEvents = Atomic<Int>(0)
    /// Input bytes applied so far.
    let appliedBytes = Atomic<Int>(0)

    public init() {}

    public var parseSeconds: Double { Double(parseNanos.load(ordering: .relaxed)) / 1e9 }
    public var applySeconds: Double { Double(applyNanos) / 1e9 }
    public var events: Int { appliedEvents.load(ordering: .relaxed) }
    public var bytes: Int { appliedBytes.load(ordering: .relaxed) }

    /// Event-weighted latency quantile (nearest rank), nanoseconds.
    public func latency(_ q: Double) -> Int64 {
        let sorted = latencies.filter { $0.events > 0 }.sorted { $0.nanos < $1.nanos }
        let total = sorted.reduce(0) { $0 + $1.events }
        guard total > 0 else { return 0 }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for l in sorted {
            seen += l.events
            if seen >= rank { return l.nanos }
        }
        return sorted.last!.nanos
    }
}

/// One parse worker: takes batches from its ring, parses them, passes them on. Several run at once on
/// different batches; the aggregator takes their output back in the order the reader dealt it.
final class ParseWorker: @unchecked Sendable {
    let input: SPSCRing<Batch>
    let output: SPSCRing<Batch>
    /// Where this worker parks: woken by the reader (new input) and the aggregator (output space).
    let waiter = Waiter()
    /// Woken after this worker takes a batch (room for the reader) or passes one on (work for the aggregator).
    var readerWaiter: Waiter!
    var aggregatorWaiter: Waiter!
    private var parser: BatchParser
    private var rulesVersion = 0
    private let rules: RulesBox
    private let options: RunOptions
    private let stats: PipelineStats?

    init(input: SPSCRing<Batch>, output: SPSCRing<Batch>, rules: RulesBox, options: RunOptions, stats: PipelineStats?) {
        self.stats = stats
        self.input = input
        self.output = output
        self.rules = rules
        self.options = options
        parser = BatchParser(
            rules: rules.current.rules, maxLine: options.maxLine, maxFuture: options.maxFuture, format: options.format)
    }

    func run() {
        while true {
            let batch = waiter.wait { input.tryPop() }
            readerWaiter.wake()
            if !batch.isEndOfInput {
                if rules.version != rulesVersion {
                    let (version, current) = rules.current
                    rulesVersion = version
                    parser.reload(current)
                }
                if let stats {
                    let t0 = threadCPUNanoseconds()
                    parser.parse(batch)
                    stats.parseNanos.add(Int(threadCPUNanoseconds() - t0), ordering: .relaxed)
                } else {
                    parser.parse(batch)
                }
            }
            waiter.wait { output.tryPush(batch) ? () : nil }
            aggregatorWaiter.wake()
            if batch.isEndOfInput { return }
        }
    }
}

/// The Dispatch-free, thread-per-stage pipeline of `ioc run`:
///
///     reader ──ring──▶ worker 1 ──ring──┐
///        │   ──ring──▶ worker 2 ──ring──┼──▶ aggregator (calling thread, input order) ──▶ sinks
///        ◀──────────── free batches ◀───┘
///
/// The reader deals batches round-robin; the aggregator takes them back in the same round-robin order, so events
/// are applied in input order whatever the number of workers, and snapshots are byte-identical.
final class BatchPipeline: @unchecked Sendable {
    let reader: BatchReader
    private let workers: [ParseWorker]
    private let free: SPSCRing<Batch>
    private let rules: RulesBox
    let stats: PipelineStats?
    /// Where the aggregator parks (woken by workers passing a batch on).
    private let aggregatorWaiter = Waiter()

    private let stop: StopFlag
    /// When the aggregator first saw the stop flag with nothing to apply (monotonic ns), or nil.
    private var stopSeenAt: Int64?

    /// The end marker the aggregator makes itself when the reader is stuck.
    static func stuckMarker() -> Batch {
        let marker = Batch.endMarker()
        marker.isStuckMarker = true
        return marker
    }

    /// After SIGINT/SIGTERM, a reader that has sent nothing for a second (counted from the last batch applied,
    /// so a long drain is not cut short) is blocked in the system (a named pipe with no writer): the run ends
    /// without it, so a signal always gives the final snapshot and exit 0.
    private func readerIsStuck() -> Bool {
        guard stop.isSet else { return false }
        let now = monotonicNanoseconds()
        guard let seen = stopSeenAt else {
            stopSeenAt = now
            return false
        }
        return now - seen > 1_000_000_000
    }

    /// Batches each parse worker's input and output rings hold.
    static let ringSlotsPerWorker = 4

    /// Batches in the pool: enough for every ring slot plus one in the hands of each stage, and spares. With
    /// fewer, the reader would wait for a free batch before it could see that a ring is full, and `--when-full
    /// drop` would block instead of dropping.
    static func poolSize(workers: Int) -> Int { workers * (2 * ringSlotsPerWorker + 2) + 4 }

    /// Whether this process can have the memory of the batch pool `options` ask for; the reason it cannot, as an
    /// `Error: …` line, otherwise.
    ///
    /// Every batch's memory is mapped (`mmap(2)`, as `malloc` does for blocks this large) and the whole pool held
    /// at once, with `headroom` more, before it is unmapped, so an address-space limit (`ulimit -v`) or a strict
    /// overcommit policy that a large `--batch-size` runs into is an error message before any input is read,
    /// rather than a crash when the pool is allocated. The pages are never touched, so the check costs no memory; and it leaves `malloc`
    /// alone (freeing blocks of its own this size would raise its threshold for mapping large blocks, and every
    /// later table would come from the heap instead).
    /// - Complexity: O(pool size) system calls; at start only.
    static func poolMemoryProblem(_ options: RunOptions) -> String? {
        let workers = RunOptions.workerCount(options.workers)
        let count = poolSize(workers: workers)
        let bytes = Batch.bytesAllocated(capacity: options.batchSize)
        var held: [(UnsafeMutableRawPointer, Int)] = []
        held.reserveCapacity(count + 1)
        defer { for (p, n) in held { munmap(p, n) } }
        // The pool, and room for what the run maps after it: threads' stacks, malloc's arenas.
        for size in Array(repeating: bytes, count: count) + [BatchPipeline.headroom] {
            let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let p, p != MAP_FAILED else {
                let code = errno
                return "Error: cannot allocate the pipeline's \(count) batches of \(bytes) bytes each (--batch-size "
                    + "\(options.batchSize) with \(workers) parse worker\(workers == 1 ? "" : "s")): "
                    + "\(String(cString: strerror(code == 0 ? ENOMEM : code)))"
            }
            held.append((p, size))
        }
        return nil
    }

    /// Address space left free beside the pool by `poolMemoryProblem`.
    static let headroom = 64 << 20

    init(
        inputs: [InputSource], rules: Rules, options: RunOptions, stop: StopFlag, stats: PipelineStats? = nil,
        live: LiveInputs? = nil
    ) {
        precondition(
            options.batchSize <= Batch.maxBytes && options.maxLine <= Batch.maxBytes,
            "batch size and longest line are at most Batch.maxBytes")
        precondition((options.workers ?? 1) <= RunOptions.maxWorkers, "at most RunOptions.maxWorkers parse workers")
        self.stop = stop
        self.stats = stats
        let workerCount = RunOptions.workerCount(options.workers)
        self.rules = RulesBox(rules)
        let perWorker = BatchPipeline.ringSlotsPerWorker
        let poolSize = BatchPipeline.poolSize(workers: workerCount)
        var ringSize = 2
        while ringSize < poolSize { ringSize <<= 1 }
        free = SPSCRing(capacity: ringSize)
        for _ in 0..<poolSize { _ = free.tryPush(Batch(capacity: options.batchSize)) }
        var workers: [ParseWorker] = []
        for _ in 0..<workerCount {
            workers.append(
                ParseWorker(
                    input: SPSCRing(capacity: perWorker), output: SPSCRing(capacity: perWorker), rules: self.rules,
                    options: options, stats: stats))
        }
        self.workers = workers
        reader = BatchReader(
            inputs: inputs, workers: workers.map(\.input), workerWaiters: workers.map(\.waiter), free: free,
            stop: stop, maxLine: options.maxLine, batchSize: options.batchSize, whenFull: options.whenFull,
            live: live)
        for w in workers {
            w.readerWaiter = reader.waiter
            w.aggregatorWaiter = aggregatorWaiter
        }
    }

    /// Fraction of the parse stage's ring slots holding a batch (read from any thread; approximate while the
    /// stages move).
    var ringFill: Double {
        var used = 0
        var slots = 0
        for w in workers {
            used += w.input.count + w.output.count
            slots += w.input.capacity + w.output.capacity
        }
        return slots == 0 ? 0 : min(1, Double(used) / Double(slots))
    }

    /// New rules for the parse stage (the aggregator's are set by the caller).
    func reload(_ rules: Rules) { self.rules.update(rules) }

    /// Runs every stage until the input ends; applies batches on the calling thread. Returns a read failure.
    func run(into aggregator: WindowAggregator, betweenBatches: () -> Void = {}) -> IOFailure? {
        var threads: [Thread] = []
        for worker in workers {
            let t = Thread { worker.run() }
            t.stackSize = 1 << 20
            threads.append(t)
        }
        let readerThread = Thread { [reader] in reader.run() }
        readerThread.stackSize = 1 << 20
        threads.append(readerThread)
        for t in threads { t.start() }

        var next = 0
        // Physical lines already applied per source index (sources interleave on a live run).
        var lineBases: [Int] = []
        var finished = 0
        while finished < workers.count {
            let worker = workers[next]
            let batch = aggregatorWaiter.wait(idle: betweenBatches) { () -> Batch? in
                if let batch = worker.output.tryPop() {
                    stopSeenAt = nil
                    return batch
                }
                return readerIsStuck() ? BatchPipeline.stuckMarker() : nil
            }
            worker.waiter.wake()
            next = (next + 1) % workers.count
            if batch.isEndOfInput && batch.isStuckMarker {
                // The reader is blocked in the system: end without it. Its rings are its own (one producer
                // each), so the workers are left parked rather than sent markers; the process exits after.
                break
            }
            if batch.isEndOfInput {
                // The reader sends one end marker; tell the other workers too so they stop.
                finished = workers.count
                for w in workers where w !== workers[(next + workers.count - 1) % workers.count] {
                    let marker = Batch(capacity: 1, oversized: true)
                    marker.isEndOfInput = true
                    aggregatorWaiter.wait { w.input.tryPush(marker) ? () : nil }
                    w.waiter.wake()
                }
                break
            }
            let source = Int(batch.source)
            while lineBases.count <= source {
                lineBases.append(0)
                aggregator.sources.append("-")
            }
            if let name = batch.beginsSource {
                aggregator.sources[source] = name
                lineBases[source] = 0
            }
            if let stats {
                let t0 = threadCPUNanoseconds()
                aggregator.apply(batch, lineBase: &lineBases[source])
                stats.applyNanos += Int(threadCPUNanoseconds() - t0)
                stats.latencies.append((monotonicNanoseconds() - batch.readMonotonic, batch.events.count))
                stats.appliedEvents.add(batch.events.count, ordering: .relaxed)
                stats.appliedBytes.add(batch.count, ordering: .relaxed)
            } else {
                aggregator.apply(batch, lineBase: &lineBases[source])
            }
            aggregator.setDropped(reader.dropped.load(ordering: .relaxed))
            if !batch.isOversized {
                batch.reset()
                _ = free.tryPush(batch)
                reader.waiter.wake()
            }
            betweenBatches()
        }
        aggregator.setDropped(reader.dropped.load(ordering: .relaxed))
        return reader.end.failure
    }
}

extension RunOptions {
    /// Why this process cannot have the memory of the batch pool these options ask for, as an `Error: …` line;
    /// nil when it can (`BatchPipeline.poolMemoryProblem`).
    public var batchPoolMemoryProblem: String? { BatchPipeline.poolMemoryProblem(self) }
}
