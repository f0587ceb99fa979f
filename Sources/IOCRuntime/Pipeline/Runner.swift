import Dispatch
import Foundation
import IOCCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock, nanoseconds since the Unix epoch.
public func wallClockNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Loads a rules file, or explains every problem in it.
public func loadRules(path: String) throws -> Rules {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw UsageError("cannot read rules file '\(path)': \(String(cString: strerror(errno)))")
    }
    switch RulesCodec.decode([UInt8](data)) {
    case .success(let rules): return rules
    case .failure(let failure):
        throw UsageError(
            "invalid rules file '\(path)':\n" + failure.errors.map { "  \($0)" }.joined(separator: "\n"))
    }
}

/// Runs `ioc run`: reader thread → ring → processing on the calling thread → sinks.
///
/// Shutdown has two phases: SIGINT/SIGTERM stop the reader, then the processing stage drains what is in the
/// ring, closes every window, writes the last snapshot and flushes the sinks; a second signal exits at once.
public final class Runner {
    public let options: RunOptions
    private let stop = StopFlag()
    private let reloadRequested = Atomic<Bool>(false)
    private var signalSources: [DispatchSourceSignal] = []
    private let signalQueue = DispatchQueue(label: "ioc.signals")
    private let stderrSink = FileSink(fd: STDERR_FILENO, name: "stderr", bufferSize: 1 << 12)

    public init(options: RunOptions) {
        self.options = options
    }

    /// Runs to completion and returns the exit status (0, or 1 on an I/O failure). Usage problems throw
    /// `UsageError` before any input is read.
    public func run() throws(UsageError) -> Int32 {
        let rules: Rules
        if let path = options.rulesPath {
            do { rules = try loadRules(path: path) } catch let e as UsageError { throw e } catch {
                throw UsageError("\(error)")
            }
        } else {
            rules = .default
        }
        // Check the inputs without opening them: opening a named pipe blocks until a writer comes.
        for input in options.inputs where input != "-" {
            var st = stat()
            if stat(input, &st) != 0 || access(input, R_OK) != 0 {
                throw UsageError("cannot read input '\(input)': \(String(cString: strerror(errno)))")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw UsageError("cannot read input '\(input)': Is a directory")
            }
        }

        let hub = OutputHub()
        var totalsSink: FileSink?
        do {
            hub.snapshots = try FileSink(path: options.snapshots)
            if let p = options.latest { hub.latest = try LatestFileSink(path: p) }
            if let p = options.alerts { hub.alerts = try FileSink(path: p) }
            if let p = options.deadLetter { hub.deadLetters = try FileSink(path: p) }
            if let p = options.totals { totalsSink = try FileSink(path: p) }
            if let p = options.dispatch {
                if !p.contains("{route}") { _ = try FileSink(path: p) }
                hub.dispatchPattern = p
            }
        } catch {
            stderrSink.writeLine("Error: cannot write \(error)")
            stderrSink.flush()
            return 1
        }
        if options.summary { hub.summaries = stderrSink }

        var config = AggregatorConfig()
        config.window = options.window
        config.lateness = options.lateness
        config.maxKeys = options.maxKeys
        let aggregator = WindowAggregator(rules: rules, config: config, output: hub)
        aggregator.sources = []

        if options.handleSignals { installSignalHandlers() }
        let pipeline = BatchPipeline(
            inputs: (options.inputs.isEmpty ? ["-"] : options.inputs).map { .path($0) }, rules: rules,
            options: options, stop: stop)
        let failure = pipeline.run(into: aggregator) { [self] in
            if reloadRequested.exchange(false, ordering: .acquiringAndReleasing) { reload(pipeline, aggregator) }
        }
        aggregator.finish()
        hub.flush()
        if let sink = totalsSink {
            aggregator.totalsJSON().withUnsafeBytes { sink.writeLine($0) }
            sink.flush()
            if let f = sink.failure { hub.recordFailure(f) }
        }
        if options.summary { writeTotals(aggregator.counts) }
        for s in signalSources { s.cancel() }
        if let f = failure ?? hub.failure {
            stderrSink.writeLine("Error: \(f)")
            stderrSink.flush()
            return 1
        }
        return 0
    }

    private func reload(_ pipeline: BatchPipeline, _ aggregator: WindowAggregator) {
        guard let path = options.rulesPath else {
            stderrSink.writeLine("ioc: SIGHUP: no --rules file to reload; keeping the current rules")
            stderrSink.flush()
            return
        }
        do {
            let rules = try loadRules(path: path)
            pipeline.reload(rules)
            aggregator.rules = rules
            stderrSink.writeLine("ioc: SIGHUP: reloaded rules from \(path)")
        } catch {
            stderrSink.writeLine("ioc: SIGHUP: kept the current rules: \(error)")
        }
        stderrSink.flush()
    }

    private func writeTotals(_ c: PipelineCounts) {
        stderrSink.writeLine(
            "ioc: lines \(c.lines) accepted \(c.accepted) rejected \(c.rejected) ignored \(c.ignored)"
                + " late \(c.late) duplicates \(c.duplicates) dropped \(c.dropped)")
        let reasons = c.rejectedByReason
        if !reasons.isEmpty {
            stderrSink.writeLine("ioc: rejected: " + reasons.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        }
        stderrSink.flush()
    }

    private func installSignalHandlers() {
        let stop = self.stop
        let interrupts = SignalCounter()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
            source.setEventHandler {
                // The first signal drains and exits cleanly; a second one means "now".
                if interrupts.add() > 1 { _exit(130) }
                stop.set()
            }
            source.resume()
            signalSources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: signalQueue)
        hup.setEventHandler { [weak self] in self?.reloadRequested.store(true, ordering: .releasing) }
        hup.resume()
        signalSources.append(hup)
    }
}

/// Signals received so far.
private final class SignalCounter: Sendable {
    private let count = Atomic<Int>(0)
    func add() -> Int { count.add(1, ordering: .relaxed).newValue }
}
