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

/// One parse worker: takes batches from its ring, parses them, passes them on. Several run at once on
/// different batches; the aggregator takes their output back in the order the reader dealt it.
final class ParseWorker: @unchecked Sendable {
    let input: SPSCRing<Batch>
    let output: SPSCRing<Batch>
    private var parser: BatchParser
    private var rulesVersion = 0
    private let rules: RulesBox
    private let options: RunOptions

    init(input: SPSCRing<Batch>, output: SPSCRing<Batch>, rules: RulesBox, options: RunOptions) {
        self.input = input
        self.output = output
        self.rules = rules
        self.options = options
        parser = BatchParser(rules: rules.current.rules, maxLine: options.maxLine, maxFuture: options.maxFuture)
    }

    func run() {
        var backoff = Backoff()
        while true {
            guard let batch = input.tryPop() else {
                backoff.pause()
                continue
            }
            backoff.reset()
            if !batch.isEndOfInput {
                if rules.version != rulesVersion {
                    let (version, current) = rules.current
                    rulesVersion = version
                    parser = BatchParser(rules: current, maxLine: options.maxLine, maxFuture: options.maxFuture)
                }
                parser.parse(batch)
            }
            while !output.tryPush(batch) { backoff.pause() }
            backoff.reset()
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

    init(inputs: [String], rules: Rules, options: RunOptions, stop: StopFlag) {
        let workerCount = max(1, options.workers ?? ProcessInfo.processInfo.activeProcessorCount)
        self.rules = RulesBox(rules)
        let perWorker = 4
        let poolSize = workerCount * (2 * perWorker) + 2
        var ringSize = 2
        while ringSize < poolSize { ringSize <<= 1 }
        free = SPSCRing(capacity: ringSize)
        for _ in 0..<poolSize { _ = free.tryPush(Batch(capacity: options.batchSize)) }
        var workers: [ParseWorker] = []
        for _ in 0..<workerCount {
            workers.append(
                ParseWorker(
                    input: SPSCRing(capacity: perWorker), output: SPSCRing(capacity: perWorker), rules: self.rules,
                    options: options))
        }
        self.workers = workers
        reader = BatchReader(
            inputs: inputs, workers: workers.map(\.input), free: free, stop: stop, maxLine: options.maxLine,
            batchSize: options.batchSize, whenFull: options.whenFull)
    }

    /// New rules for the parse stage (the aggregator's are set by the caller).
    func reload(_ rules: Rules) { self.rules.update(rules) }

    /// Runs every stage until the input ends; applies batches on the calling thread. Returns a read failure.
    func run(into aggregator: WindowAggregator, betweenBatches: () -> Void) -> IOFailure? {
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
        var lineBase = 0
        var finished = 0
        var backoff = Backoff()
        while finished < workers.count {
            guard let batch = workers[next].output.tryPop() else {
                backoff.pause()
                continue
            }
            backoff.reset()
            next = (next + 1) % workers.count
            if batch.isEndOfInput {
                // The reader sends one end marker; tell the other workers too so they stop.
                finished = workers.count
                for w in workers where w !== workers[(next + workers.count - 1) % workers.count] {
                    let marker = Batch(capacity: 1, oversized: true)
                    marker.isEndOfInput = true
                    var b = Backoff()
                    while !w.input.tryPush(marker) { b.pause() }
                }
                break
            }
            if let name = batch.beginsSource {
                aggregator.sources.append(name)
                lineBase = 0
            }
            aggregator.apply(batch, lineBase: &lineBase)
            aggregator.setDropped(reader.dropped.load(ordering: .relaxed))
            if !batch.isOversized {
                batch.reset()
                _ = free.tryPush(batch)
            }
            betweenBatches()
        }
        aggregator.setDropped(reader.dropped.load(ordering: .relaxed))
        return reader.end.failure
    }
}
