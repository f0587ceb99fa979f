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
    var st = stat()
    if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
        throw UsageError("cannot read rules file '\(path)': Is a directory")
    }
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
/// ring, closes every window, writes the last snapshot and flushes the sinks; a second signal a second or more
/// later exits at once.
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
        // Check the inputs without opening them: opening a named pipe blocks until a writer comes. A followed
        // file may not exist yet (as with `tail -F`, it is waited for).
        for input in options.inputs where input != "-" {
            var st = stat()
            if stat(input, &st) != 0 || access(input, R_OK) != 0 {
                if options.follow && errno == ENOENT { continue }
                throw UsageError("cannot read input '\(input)': \(String(cString: strerror(errno)))")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw UsageError("cannot read input '\(input)': Is a directory")
            }
        }
        if options.fromStart && !options.follow { throw UsageError("'--from-start' needs '--follow'") }
        if options.follow && options.inputs.isEmpty && !options.listen.isEmpty {
            // Without `--listen`, no inputs means stdin, read as a live stream; with it, nothing to follow.
            throw UsageError("'--follow' needs a file to follow (or '-' for stdin)")
        }
        try Runner.checkAddressesDiffer(options)
        try PathCheck.check(options, rules: rules)

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

        // Sockets are bound before any input is read, so a sender or subscriber can connect as soon as the
        // command has started; a port in use is a failure to open an input or output (exit 1).
        let log: @Sendable (String) -> Void = { line in IOCLog.write(line) }
        var listeners: [(address: SocketAddress, fd: Int32)] = []
        var publishers: [(address: SocketAddress, fd: Int32)] = []
        if !options.listen.isEmpty || !options.publish.isEmpty {
            signal(SIGPIPE, SIG_IGN)
            Runner.raiseOpenFileLimit()
            do {
                for a in options.listen { listeners.append((a, try a.listen())) }
                for a in options.publish { publishers.append((a, try a.listen())) }
            } catch {
                for l in listeners + publishers {
                    close(l.fd)
                    if case .unix(let path) = l.address { unlink(path) }
                }
                stderrSink.writeLine("Error: cannot listen on \(error)")
                stderrSink.flush()
                return 1
            }
            for l in listeners + publishers {
                if case .unix(let path) = l.address { SocketFiles.shared.add(path) }
            }
        }
        var publisher: SnapshotPublisher?
        if !publishers.isEmpty {
            let p = SnapshotPublisher(listeners: publishers, log: log)
            p.start()
            hub.publish = { p.publish($0) }
            publisher = p
        }

        var config = AggregatorConfig()
        config.window = options.window
        config.lateness = options.lateness
        config.maxKeys = options.maxKeys
        let aggregator = WindowAggregator(rules: rules, config: config, output: hub)
        aggregator.sources = []

        if options.handleSignals { installSignalHandlers() }

        // Plain files are read first, in order; live inputs (sockets, followed files, and stdin among them)
        // after, interleaved by arrival.
        var files = options.inputs
        var live: LiveInputs?
        if !options.listen.isEmpty || options.follow {
            var l = LiveInputs()
            l.listeners = listeners
            l.fromStart = options.fromStart
            l.log = log
            // `--follow` alone reads stdin, as a run without inputs does (`--listen` alone does not).
            l.stdin = options.inputs.contains("-") || (options.inputs.isEmpty && options.listen.isEmpty)
            if options.follow { l.follow = options.inputs.filter { $0 != "-" } }
            files = options.follow ? [] : options.inputs.filter { $0 != "-" }
            live = l
        } else if files.isEmpty {
            files = ["-"]
        }
        // The pool is checked last, with everything else of the run already in place (the aggregator's tables
        // reserve address space too): a pool that does not fit is exit 1 before any input is read.
        if let problem = BatchPipeline.poolMemoryProblem(options) {
            stderrSink.writeLine(problem)
            stderrSink.flush()
            for l in listeners { close(l.fd) }
            SocketFiles.shared.removeAll()
            return 1
        }
        let pipeline = BatchPipeline(
            inputs: files.map { .path($0) }, rules: rules, options: options, stop: stop, live: live)
        if options.isLiveService {
            aggregator.liveFigures = { [pipeline, publisher] in
                LiveFigures(
                    ringFill: pipeline.ringFill, wallClock: wallClockNanoseconds(),
                    subscribers: publisher.map { ($0.connected, $0.dropped) })
            }
        }
        var clock = LiveClock(options: options, liveInput: live != nil || Runner.stdinIsStream(files))
        let failure = pipeline.run(into: aggregator) { [self] in
            if reloadRequested.exchange(false, ordering: .acquiringAndReleasing) { reload(pipeline, aggregator) }
            clock.tick(aggregator, hub)
        }
        aggregator.finish()
        hub.flush()
        publisher?.finish()
        // Listeners' socket files go even when the live loop never ran (a plain file before it failed).
        SocketFiles.shared.removeAll()
        if let sink = totalsSink {
            aggregator.totalsJSON().withUnsafeBytes { sink.writeLine($0) }
            sink.flush()
            if let f = sink.failure { hub.recordFailure(f) }
        }
        if options.summary { writeTotals(aggregator.counts) }
        for s in signalSources { s.cancel() }
        if let f = failure ?? hub.failure {
            // Worded as at start: which way it failed, then the path and the system's reason.
            let message: String
            if failure != nil {
                message = "Error: cannot read \(f)"
            } else if f.path == "stdout" {
                message = "Error: cannot write to stdout: \(f.reason)"
            } else {
                message = "Error: cannot write \(f)"
            }
            stderrSink.writeLine(message)
            stderrSink.flush()
            return 1
        }
        return 0
    }

    /// Two `--listen`/`--publish` flags naming one address would make the second bind fail with "Address already
    /// in use", as if another program held it: the operator's own flags clash, a usage error (port 0, any free
    /// port, never clashes).
    static func checkAddressesDiffer(_ options: RunOptions) throws(UsageError) {
        let named = options.listen.map { ("--listen", $0) } + options.publish.map { ("--publish", $0) }
        for (i, a) in named.enumerated() {
            if case .tcp(_, let port) = a.1, port == 0 { continue }
            if let b = named[(i + 1)...].first(where: { $0.1 == a.1 }) {
                throw UsageError("'\(a.0) \(a.1)' and '\(b.0) \(b.1)' name the same address")
            }
        }
    }

    private func reload(_ pipeline: BatchPipeline, _ aggregator: WindowAggregator) {
        guard let path = options.rulesPath else {
            stderrSink.writeLine("ioc: SIGHUP: no --rules file to reload; keeping the current rules")
            stderrSink.flush()
            return
        }
        do {
            let rules = try loadRules(path: path)
            // New agencies or routes mean new `{route}` files: none may be an input or another output.
            try PathCheck.check(options, rules: rules)
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

    /// Whether stdin is among `files` and is a stream (pipe, socket, terminal) rather than a regular file.
    static func stdinIsStream(_ files: [String]) -> Bool {
        guard files.contains("-") else { return false }
        var st = stat()
        return fstat(STDIN_FILENO, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG
    }

    /// 256 senders and their subscribers need more descriptors than some defaults allow: raise the soft limit
    /// to the hard one.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    private func installSignalHandlers() {
        let stop = self.stop
        let interrupts = StopSignals()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
            source.setEventHandler {
                // The first signal drains and exits cleanly; a second one, a second or more later, means "now"
                // (exit 128 + its number, as the shell reports a process the signal ended). Signals that come
                // together are one request: GNU `timeout` sends its signal to the command and to its process
                // group, so the command gets it twice at once, and must still write its last snapshots.
                if interrupts.isForceful(at: monotonicNanoseconds()) {
                    SocketFiles.shared.removeAll()
                    _exit(128 + sig)
                }
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
/// When the first stop signal came: a later one is forceful only a second or more after it.
final class StopSignals: Sendable {
    /// Monotonic nanoseconds of the first signal, 0 before it.
    private let first = Atomic<Int64>(0)
    static let graceNanoseconds: Int64 = 1_000_000_000

    /// Records a stop signal at `now` (monotonic ns); whether it is a second one, `graceNanoseconds` or more after
    /// the first.
    func isForceful(at now: Int64) -> Bool {
        let (exchanged, original) = first.compareExchange(expected: 0, desired: max(now, 1), ordering: .relaxed)
        if exchanged { return false }
        return now - original >= StopSignals.graceNanoseconds
    }
}

/// Unix socket files this run created, removed even when a second signal ends it at once.
final class SocketFiles: Sendable {
    static let shared = SocketFiles()
    private let paths = Mutex<[String]>([])
    func add(_ path: String) { paths.withLock { $0.append(path) } }
    func removeAll() {
        paths.withLock { list in
            for p in list { unlink(p) }
            list.removeAll()
        }
    }
}

/// Notes for the operator on stderr (connections, rotated files, dropped subscribers), from any thread.
enum IOCLog {
    private static let lock = Mutex<Void>(())

    static func write(_ line: String) {
        lock.withLock { _ in
            var text = line + "\n"
            text.withUTF8 { buf in _ = Glibc.write(STDERR_FILENO, buf.baseAddress, buf.count) }
        }
    }
}

/// The wall-clock duties of the aggregator thread, run between batches and every ~20 ms when idle: the idle
/// watermark advance (SPEC §4) and provisional snapshots (`--every`).
struct LiveClock {
    let idle: Int64
    let every: Int64?
    /// Input that can go quiet: sockets, followed files, a pipe or terminal on stdin.
    let liveInput: Bool
    private var acceptedSeen = -1
    private var lastEventAt: Int64 = 0
    private var markAtLastEvent: Int64?
    private var lastProvisional: Int64
    private var lastFlush: Int64

    init(options: RunOptions, liveInput: Bool) {
        idle = options.idle
        every = options.every
        self.liveInput = liveInput
        let now = monotonicNanoseconds()
        lastProvisional = now
        lastFlush = now
    }

    mutating func tick(_ aggregator: WindowAggregator, _ hub: OutputHub) {
        let now = monotonicNanoseconds()
        let accepted = aggregator.counts.accepted
        if accepted != acceptedSeen {
            acceptedSeen = accepted
            lastEventAt = now
            markAtLastEvent = aggregator.watermark
        } else if liveInput, let mark = markAtLastEvent, now - lastEventAt >= idle {
            // Quiet for `--idle`: event time is taken to pass as the wall clock does since the last event.
            aggregator.advanceWatermark(to: mark.saturatingAdding(now - lastEventAt))
        }
        if let every, now - lastProvisional >= every {
            lastProvisional = now
            aggregator.provisionalSnapshot()
        }
        if liveInput && now - lastFlush >= 200_000_000 {
            // Alerts, dead letters and dispatch files of a live run reach their readers within ~200 ms.
            lastFlush = now
            hub.flush()
        }
    }
}
