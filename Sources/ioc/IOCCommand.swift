import IOCCore
import IOCRuntime
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `ioc` command line: parses, prints help, wires the runtime, maps outcomes to exit codes.
/// No business logic lives here.
enum IOCCommand {
    static let version = "0.1.0"

    /// Runs the command line and returns the exit status; 1 when the command itself succeeded but its output
    /// could not be written to stdout.
    static func main(_ arguments: [String]) -> Int32 {
        let status = command(arguments)
        let failure = stdoutFailure.load(ordering: .relaxed)
        guard failure == 0 else {
            writeStderr("Error: cannot write to stdout: \(String(cString: strerror(failure)))\n")
            return status == 0 ? 1 : status
        }
        return status
    }

    static func command(_ arguments: [String]) -> Int32 {
        var args = arguments
        guard let first = args.first else {
            print(rootHelp, terminator: "")
            return 0
        }
        switch first {
        case "-h", "--help":
            print(rootHelp, terminator: "")
            return 0
        case "--version":
            if args.count > 1 { return usageFailure("Unexpected argument '\(args[1])'", command: nil) }
            print(version)
            return 0
        case "help":
            args.removeFirst()
            guard let sub = args.first else {
                print(rootHelp, terminator: "")
                return 0
            }
            guard let help = help(for: sub) else {
                return usageFailure("Unknown subcommand '\(sub)'", command: nil)
            }
            // No command has subcommands of its own: `ioc help run extra` names nothing.
            if args.count > 1 { return usageFailure("Unexpected argument '\(args[1])'", command: nil) }
            print(help, terminator: "")
            return 0
        case "run":
            args.removeFirst()
            return runCommand(args)
        case "rules":
            args.removeFirst()
            return rulesCommand(args)
        case "gen":
            args.removeFirst()
            return genCommand(args)
        case "bench":
            args.removeFirst()
            return benchCommand(args)
        case "top":
            args.removeFirst()
            return topCommand(args)
        default:
            if first.hasPrefix("-") { return usageFailure("Unknown option '\(first)'", command: nil) }
            return usageFailure("Unknown subcommand '\(first)'", command: nil)
        }
    }

    static func help(for sub: String) -> String? {
        switch sub {
        case "run": runHelp
        case "rules": rulesHelp
        case "gen": genHelp
        case "bench": benchHelp
        case "top": topHelp
        default: nil
        }
    }

    // MARK: - Errors

    /// Prints `Error: …`, the usage and the hint, on stderr; returns 64 (EX_USAGE).
    static func usageFailure(_ message: String, command: String?) -> Int32 {
        var text = "Error: \(message)\n"
        switch command {
        case "run": text += "Usage: \(runUsage)\n  See 'ioc run --help' for more information.\n"
        case "rules": text += "Usage: \(rulesUsage)\n  See 'ioc rules --help' for more information.\n"
        case "gen": text += "Usage: \(genUsage)\n  See 'ioc gen --help' for more information.\n"
        case "bench": text += "Usage: \(benchUsage)\n  See 'ioc bench --help' for more information.\n"
        case "top": text += "Usage: \(topUsage)\n  See 'ioc top --help' for more information.\n"
        default: text += "Usage: ioc <subcommand>\n  See 'ioc --help' for more information.\n"
        }
        writeStderr(text)
        return 64
    }

    static func writeStderr(_ text: String) {
        var text = text
        _ = text.withUTF8 { writeFully(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
    }

    // MARK: - Output

    /// The `errno` of the first write to stdout that failed, 0 while none has: `main` turns it into exit 1.
    static let stdoutFailure = Atomic<Int32>(0)

    /// Writes `text` and `terminator` to stdout at once (help, rules, bench results). It shadows `Swift.print`,
    /// whose stdio buffer would keep a failed write (a full disk) to itself and let the command exit 0; after a
    /// failure the rest is not written. (A closed pipe ends the command by SIGPIPE, as it does `cat`.)
    static func print(_ text: String, terminator: String = "\n") {
        guard stdoutFailure.load(ordering: .relaxed) == 0 else { return }
        var out = text + terminator
        let code = out.withUTF8 { writeFully(STDOUT_FILENO, UnsafeRawBufferPointer($0)) }
        if code != 0 { stdoutFailure.store(code, ordering: .relaxed) }
    }

    // MARK: - run

    static func runCommand(_ arguments: [String]) -> Int32 {
        var options = RunOptions()
        var scanner = ArgumentScanner(arguments)
        do throws(CLIError) {
            let addInput: (String) throws(CLIError) -> Void = { options.inputs.append($0) }
            let proceed = try scanner.forEachOption(positional: addInput) {
                name, inline, scanner throws(CLIError) in
                switch name {
                case "--summary":
                    if inline != nil { throw CLIError("Option '--summary' takes no value") }
                    options.summary = true
                case "--rules":
                    options.rulesPath = try scanner.value(for: name, inline: inline)
                case "--window":
                    options.window = try duration(name, scanner.value(for: name, inline: inline), positive: true)
                case "--lateness":
                    options.lateness = try duration(name, scanner.value(for: name, inline: inline), positive: false)
                case "--max-future":
                    options.maxFuture = try duration(
                        name, scanner.value(for: name, inline: inline), positive: false)
                case "--max-line":
                    options.maxLine = try byteCount(name, scanner.value(for: name, inline: inline))
                case "--max-keys":
                    options.maxKeys = try count(name, scanner.value(for: name, inline: inline))
                case "--snapshots":
                    options.snapshots = try path(name, scanner.value(for: name, inline: inline))
                case "--latest":
                    options.latest = try path(name, scanner.value(for: name, inline: inline))
                case "--alerts":
                    options.alerts = try path(name, scanner.value(for: name, inline: inline))
                case "--dead-letter":
                    options.deadLetter = try path(name, scanner.value(for: name, inline: inline))
                case "--dispatch":
                    options.dispatch = try path(name, scanner.value(for: name, inline: inline))
                case "--format":
                    let v = try scanner.value(for: name, inline: inline)
                    guard let format = FeedFormat(rawValue: v) else {
                        throw CLIError(
                            "The value '\(v)' is invalid for '--format <format>': expected one of "
                                + FeedFormat.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    options.format = format
                case "--totals":
                    options.totals = try path(name, scanner.value(for: name, inline: inline))
                case "--threads":
                    options.workers = try workerCount(name, scanner.value(for: name, inline: inline))
                case "--batch-size":
                    options.batchSize = try byteCount(name, scanner.value(for: name, inline: inline))
                case "--listen":
                    options.listen.append(try address(name, scanner.value(for: name, inline: inline)))
                case "--publish":
                    options.publish.append(try address(name, scanner.value(for: name, inline: inline)))
                case "--follow":
                    if inline != nil { throw CLIError("Option '--follow' takes no value") }
                    options.follow = true
                case "--from-start":
                    if inline != nil { throw CLIError("Option '--from-start' takes no value") }
                    options.fromStart = true
                case "--every":
                    options.every = try duration(name, scanner.value(for: name, inline: inline), positive: true)
                case "--idle":
                    options.idle = try duration(name, scanner.value(for: name, inline: inline), positive: true)
                case "--when-full":
                    let v = try scanner.value(for: name, inline: inline)
                    guard let mode = WhenFull(rawValue: v) else {
                        throw CLIError(
                            "The value '\(v)' is invalid for '--when-full <mode>': expected block or drop")
                    }
                    options.whenFull = mode
                default:
                    return false
                }
                return true
            }
            guard proceed else {
                print(runHelp, terminator: "")
                return 0
            }
        } catch {
            return usageFailure(error.message, command: "run")
        }
        do {
            return try Runner(options: options).run()
        } catch {
            return usageFailure(error.message, command: "run")
        }
    }

    static func duration(_ name: String, _ text: String, positive: Bool) throws(CLIError) -> Int64 {
        guard let d = DurationText.parse(text), !positive || d > 0 else {
            if DurationText.isTooLong(text) {
                throw CLIError(
                    "The value '\(text)' is invalid for '\(name) <duration>': at most \(DurationText.longest)")
            }
            throw CLIError(
                "The value '\(text)' is invalid for '\(name) <duration>': expected a\(positive ? " positive" : "")"
                    + " duration such as 500ms, 30s, 5m or 1h")
        }
        return d
    }

    static func address(_ name: String, _ text: String) throws(CLIError) -> SocketAddress {
        switch SocketAddress.parse(text) {
        case .success(let a): return a
        case .failure(let e): throw CLIError("The value '\(text)' is invalid for '\(name) <address>': \(e.message)")
        }
    }

    static func count(_ name: String, _ text: String) throws(CLIError) -> Int {
        guard let n = Int(text), n > 0 else {
            throw CLIError("The value '\(text)' is invalid for '\(name) <n>': expected a positive integer")
        }
        return n
    }

    /// A positive integer of at most `limit`; past it, the message names the limit as `what`.
    static func count(_ name: String, _ text: String, atMost limit: Int, _ what: String) throws(CLIError) -> Int {
        let n = try count(name, text)
        guard n <= limit else { throw CLIError("The value '\(text)' is invalid for '\(name) <n>': at most \(what)") }
        return n
    }

    /// A positive number of parse workers of at most `RunOptions.maxWorkers`, for `--threads`.
    static func workerCount(_ name: String, _ text: String) throws(CLIError) -> Int {
        try count(name, text, atMost: RunOptions.maxWorkers, "\(RunOptions.maxWorkers) parse workers")
    }

    /// A positive byte count of at most `Batch.maxBytes` (1 GiB), for `--max-line` and `--batch-size`.
    static func byteCount(_ name: String, _ text: String) throws(CLIError) -> Int {
        try count(name, text, atMost: Batch.maxBytes, "\(Batch.maxBytes) bytes (1 GiB)")
    }

    static func seed(_ text: String) throws(CLIError) -> UInt64 {
        guard let s = UInt64(text) else {
            throw CLIError("The value '\(text)' is invalid for '--seed <n>': expected a non-negative integer")
        }
        return s
    }

    static func ratio(_ name: String, _ text: String) throws(CLIError) -> Double {
        guard let r = Double(text), r >= 0, r <= 1 else {
            throw CLIError("The value '\(text)' is invalid for '\(name) <ratio>': expected a number from 0 to 1")
        }
        return r
    }

    static func path(_ name: String, _ text: String) throws(CLIError) -> String {
        guard !text.isEmpty else { throw CLIError("The value for '\(name)' must not be empty") }
        return text
    }

    // MARK: - gen

    static func genCommand(_ arguments: [String]) -> Int32 {
        var scanner = ArgumentScanner(arguments)
        var events: Int?
        var duration: Int64?
        var rate: Double?
        var seed: UInt64 = 1
        var start: Int64?
        var bad = 0.0
        do throws(CLIError) {
            let proceed = try scanner.forEachOption { name, inline, scanner throws(CLIError) in
                switch name {
                case "--events":
                    events = try count(name, scanner.value(for: name, inline: inline))
                case "--duration":
                    duration = try self.duration(name, scanner.value(for: name, inline: inline), positive: true)
                case "--rate":
                    let v = try scanner.value(for: name, inline: inline)
                    let number = v.hasSuffix("/s") ? String(v.dropLast(2)) : v
                    guard let r = Double(number), r > 0, r.isFinite else {
                        throw CLIError(
                            "The value '\(v)' is invalid for '--rate <lines/s>': expected a positive number")
                    }
                    rate = r
                case "--seed":
                    seed = try IOCCommand.seed(scanner.value(for: name, inline: inline))
                case "--start":
                    let v = try scanner.value(for: name, inline: inline)
                    var bytes = Array(v.utf8)
                    // The feed's lines reach minutes back (late lines) and weeks on (dossiers' due dates); a
                    // time outside 64-bit nanoseconds (1600-01-01) does not parse, and gets the same message.
                    let parsed = bytes.withUnsafeMutableBytes { Timestamp.parse(UnsafeRawBufferPointer($0)) }
                    guard let t = parsed, FeedGenerator.startRange.contains(t) else {
                        throw CLIError(
                            "The value '\(v)' is invalid for '--start <time>': expected an RFC 3339 time from "
                                + "\(Timestamp.string(FeedGenerator.startRange.lowerBound)) to "
                                + "\(Timestamp.string(FeedGenerator.startRange.upperBound))")
                    }
                    start = t
                case "--bad":
                    bad = try ratio(name, scanner.value(for: name, inline: inline))
                default:
                    return false
                }
                return true
            }
            guard proceed else {
                print(genHelp, terminator: "")
                return 0
            }
            if events != nil && duration != nil { throw CLIError("Give at most one of '--events' and '--duration'") }
        } catch {
            return usageFailure(error.message, command: "gen")
        }
        // Without a limit: 10,000 lines, or an endless live stream when paced with --rate.
        if events == nil && duration == nil && rate == nil { events = 10_000 }
        let density = rate ?? 200
        let now = wallClockNanoseconds()
        let defaultStart: Int64
        if rate != nil {
            defaultStart = now
        } else if let events {
            // Ending about now; a feed too long to fit starts as early as a feed can.
            let span = Double(events) / density * 1e9 + 60e9
            defaultStart = max(FeedGenerator.startRange.lowerBound, now - Int64(min(span, 9e18)))
        } else {
            defaultStart = max(
                FeedGenerator.startRange.lowerBound,
                now.saturatingSubtracting(duration!.saturatingAdding(60_000_000_000)))
        }
        var options = FeedGenerator.Options(start: start ?? defaultStart)
        options.seed = seed
        options.events = events
        options.duration = duration
        options.badRatio = bad
        options.eventsPerSecond = density
        return GenRunner.run(options: options, rate: rate)
    }

    // MARK: - bench

    static func benchCommand(_ arguments: [String]) -> Int32 {
        var scanner = ArgumentScanner(arguments)
        var options = BenchOptions()
        do throws(CLIError) {
            let proceed = try scanner.forEachOption { name, inline, scanner throws(CLIError) in
                switch name {
                case "--events":
                    let limit = BenchRunner.maxEvents
                    options.events = try count(
                        name, scanner.value(for: name, inline: inline), atMost: limit,
                        "\(limit) events on this machine (the feed is generated in memory, which it may fill half of)")
                case "--seed":
                    options.seed = try seed(scanner.value(for: name, inline: inline))
                case "--bad":
                    options.badRatio = try ratio(name, scanner.value(for: name, inline: inline))
                case "--threads":
                    options.workers = try workerCount(name, scanner.value(for: name, inline: inline))
                case "--batch-size":
                    options.batchSize = try byteCount(name, scanner.value(for: name, inline: inline))
                case "--json":
                    options.json = true
                default:
                    return false
                }
                return true
            }
            guard proceed else {
                print(benchHelp, terminator: "")
                return 0
            }
        } catch {
            return usageFailure(error.message, command: "bench")
        }
        var pool = RunOptions()
        pool.workers = options.workers
        pool.batchSize = options.batchSize
        if let problem = pool.batchPoolMemoryProblem {
            writeStderr(problem + "\n")
            return 1
        }
        let result = BenchRunner.run(options)
        if options.json {
            print(BenchRunner.json(result, seed: options.seed))
        } else {
            print(BenchRunner.table(result, seed: options.seed), terminator: "")
        }
        return 0
    }

    // MARK: - top

    static func topCommand(_ arguments: [String]) -> Int32 {
        var scanner = ArgumentScanner(arguments)
        var options = TopOptions()
        var input: String?
        var address: String?
        do throws(CLIError) {
            let setInput: (String) throws(CLIError) -> Void = { p throws(CLIError) in
                guard input == nil else { throw CLIError("Unexpected argument '\(p)': give one FILE or '-'") }
                input = try path("<file>", p)
            }
            let proceed = try scanner.forEachOption(positional: setInput) { name, inline, scanner throws(CLIError) in
                switch name {
                case "--connect":
                    address = try scanner.value(for: name, inline: inline)
                default:
                    return false
                }
                return true
            }
            guard proceed else {
                print(topHelp, terminator: "")
                return 0
            }
            if let address {
                guard input == nil else { throw CLIError("Give either '--connect <address>' or a FILE, not both") }
                options.source = .connect(try IOCCommand.address("--connect", address))
            } else if let input, input != "-" {
                options.source = .file(input)
            }
        } catch {
            return usageFailure(error.message, command: "top")
        }
        do {
            return try TopRunner(options: options).run()
        } catch {
            return usageFailure(error.message, command: "top")
        }
    }

    // MARK: - rules

    static func rulesCommand(_ arguments: [String]) -> Int32 {
        var scanner = ArgumentScanner(arguments)
        var printDefault = false
        var check: String?
        do throws(CLIError) {
            let proceed = try scanner.forEachOption { name, inline, scanner throws(CLIError) in
                switch name {
                case "--print-default":
                    printDefault = true
                case "--check":
                    check = try scanner.value(for: name, inline: inline)
                default:
                    return false
                }
                return true
            }
            guard proceed else {
                print(rulesHelp, terminator: "")
                return 0
            }
            if printDefault == (check != nil) {
                throw CLIError("Give exactly one of '--print-default' or '--check <file>'")
            }
        } catch {
            return usageFailure(error.message, command: "rules")
        }
        if printDefault {
            print(RulesCodec.encode(.default), terminator: "")
            return 0
        }
        do {
            _ = try loadRules(path: check!)
            print("\(check!): ok")
            return 0
        } catch {
            writeStderr("Error: \(error)\n")
            return 64
        }
    }

    // MARK: - Help texts

    static let rootHelp = """
        OVERVIEW: Event-stream processor for a city's Intelligent Operations Center.

        Reads line-delimited JSON events (citizen field reports, traffic, security, public-service dossiers,
        service metrics), validates, classifies and routes them, and publishes rolling KPI snapshots.

        USAGE: ioc <subcommand>

        OPTIONS:
          --version               Show the version.
          -h, --help              Show help information.

        SUBCOMMANDS:
          run                     Process NDJSON events into KPI snapshots.
          gen                     Write a synthetic city feed (deterministic, optionally paced).
          bench                   Measure end-to-end throughput and latency on a generated feed.
          rules                   Print the default rules or check a rules file.
          top                     Live operator view of the snapshots of a run.

          See 'ioc help <subcommand>' for detailed help.

        """

    static let runUsage =
        "ioc run [<inputs> ...] [--listen <address> ...] [--follow] [--from-start] [--format <format>]"
        + " [--rules <file>] [--window <duration>] [--lateness <duration>] [--every <duration>] [--idle <duration>]"
        + " [--snapshots <path>] [--latest <path>] [--publish <address> ...] [--dispatch <path>] [--alerts <path>]"
        + " [--dead-letter <path>] [--summary] [--totals <path>] [--max-line <n>] [--max-keys <n>]"
        + " [--max-future <duration>] [--when-full <mode>] [--threads <n>] [--batch-size <n>]"

    static let runHelp = """
        OVERVIEW: Process NDJSON events into KPI snapshots.

        Reads the inputs in order (stdin when none is given), one JSON object per line. Every line is accepted
        or rejected with a reason; a bad line never stops the run. One snapshot line is written per closed
        event-time window.

        USAGE: \(runUsage)

        ARGUMENTS:
          <inputs>                Files to read in order; '-' is stdin. (default: stdin)

        OPTIONS:
          --listen <address>      Accept NDJSON senders on tcp://HOST:PORT (host default 127.0.0.1) or
                                  unix:///PATH; repeatable. Runs until SIGINT/SIGTERM.
          --follow                Tail the input files as 'tail -F' does (rotation, truncation); runs until
                                  SIGINT/SIGTERM.
          --from-start            With --follow, read what the files already hold first. (default: from the end)
          --format <format>       Input format: auto (each line recognised: native, Open311, Suricata EVE,
                                  FIWARE NGSI), ioc, open311, eve or ngsi. (default: auto)
          --rules <file>          Rules file replacing the embedded default; SIGHUP reloads it.
          --window <duration>     Length of the tumbling event-time windows. (default: 60s)
          --lateness <duration>   How far behind the newest event the watermark runs. (default: 30s)
          --every <duration>      Also write a provisional snapshot ("final": false) of the open window this
                                  often, on the wall clock.
          --idle <duration>       On a quiet live input (socket, pipe, --follow), advance the watermark with the
                                  wall clock after this long without events. (default: 10s)
          --snapshots <path>      Where snapshots go, one JSON line each; '-' is stdout. (default: -)
          --latest <path>         File replaced atomically with the newest snapshot.
          --publish <address>     Serve snapshots to subscribers on tcp://HOST:PORT or unix:///PATH: each one
                                  as a line, the latest on connect; repeatable.
          --dispatch <path>       Routed field reports and security events; '{route}' in the path gives one
                                  file per route.
          --alerts <path>         One line per alert raised or cleared.
          --dead-letter <path>    One line per rejected or late line, with its reason.
          --summary               Print one line per closed window and the final counts on stderr.
          --totals <path>         End-of-run totals as JSON: counts, rejections by reason, accepted events
                                  per kind and per kind and district.
          --max-line <n>          Longest accepted line in bytes, at most 1 GiB. (default: 1048576)
          --max-keys <n>          Most tracked keys (ids, sensors, districts...). (default: 1000000)
          --max-future <duration> Reject events this far ahead of the wall clock. (default: 5m)
          --when-full <mode>      When the parse stage is full: block (lose nothing) or drop (drop the newest
                                  lines, counted in pipeline.dropped). (default: block)
          --threads <n>           Parse workers, at most 256. (default: one per core)
          --batch-size <n>        Bytes handed between stages at a time, at most 1 GiB. (default: 524288)
          -h, --help              Show help information.

        Durations are written 500ms, 30s, 5m, 1h. Exit status: 0 on success, 64 on bad flags, rules or
        paths, 1 when an input or output cannot be read or written. SIGINT/SIGTERM drain, close all
        windows and exit 0.

        """

    static let genUsage =
        "ioc gen [--events <n> | --duration <duration>] [--rate <lines/s>] [--seed <n>] [--start <time>] [--bad <ratio>]"

    static let genHelp = """
        OVERVIEW: Write a synthetic city feed (deterministic, optionally paced).

        All five kinds in a realistic mix: traffic readings on Hanoi segments with rush hours and jams, service
        metrics, field-report lifecycles with Vietnamese and English texts (with and without accents), security
        events with bursts, dossier lifecycles with due dates; sensors that go silent; mild out-of-order arrival.
        The same options give the same bytes once --start is given (without it the feed ends about a
        minute before now).

        USAGE: \(genUsage)

        OPTIONS:
          --events <n>            Lines to write. (default: 10000, or endless with --rate)
          --duration <duration>   Stop when event time has advanced this much instead.
          --rate <lines/s>        Pace the output on the wall clock (event time then follows the clock).
          --seed <n>              Random seed. (default: 1)
          --start <time>          Event time of the first line, RFC 3339. (default: so the feed ends a
                                  minute before now)
          --bad <ratio>           Share of malformed or invalid lines, 0 to 1. (default: 0)
          -h, --help              Show help information.

        """

    static let benchUsage =
        "ioc bench [--events <n>] [--seed <n>] [--bad <ratio>] [--threads <n>] [--batch-size <n>] [--json]"

    static let benchHelp = """
        OVERVIEW: Measure end-to-end throughput and latency on a generated feed.

        Generates the feed in memory (so the disk is not what is measured), its event time starting at 00:00 UTC
        yesterday (the same counts on every run), runs the whole pipeline of 'ioc run' on it and prints events/s,
        MB/s, busy time per stage, read→applied latency and peak memory. A progress line is shown on stderr while
        it runs (when stderr is a terminal).

        USAGE: \(benchUsage)

        OPTIONS:
          --events <n>            Lines to generate. (default: 1000000)
          --seed <n>              Random seed of the feed. (default: 42)
          --bad <ratio>           Share of invalid lines. (default: 0)
          --threads <n>           Parse workers, at most 256. (default: one per core)
          --batch-size <n>        Bytes handed between stages at a time, at most 1 GiB. (default: 524288)
          --json                  Print one JSON object instead of the table.
          -h, --help              Show help information.

        """

    static let topUsage = "ioc top [--connect <address> | <file> | -]"

    static let topHelp = """
        OVERVIEW: Live operator view of the snapshots of a run.

        Shows the newest snapshot full screen and redraws on every one (final or provisional): the window and
        watermark, the KPIs of each kind, the open and overdue backlog, pipeline health (events/s, rejected, late,
        dropped, ring fill, watermark lag), a sparkline of events per window over the last hour, and the active
        alerts, newest first, P1 in bold red. Keys: q or Ctrl-C quits. Lines that are not ioc.snapshot/1 are
        counted and skipped.

        When stdout is not a terminal, prints one summary line per snapshot instead and exits at the end of the
        input (a FILE is then read once, not followed).

        USAGE: \(topUsage)

        ARGUMENTS:
          <file>                  Snapshots written by 'ioc run --snapshots FILE' or '--latest FILE', followed
                                  like 'tail -F'; '-' is stdin. (default: -)

        OPTIONS:
          --connect <address>     Read from 'ioc run --publish', tcp://HOST:PORT or unix:///PATH; reconnects
                                  every second when the connection drops.
          -h, --help              Show help information.

        Exit status: 0 on q, Ctrl-C, SIGTERM or the end of the input in plain mode; 64 on bad flags or an
        unreadable FILE; 1 when a connection fails or ends in plain mode.

        """

    static let rulesUsage = "ioc rules (--print-default | --check <file>)"

    static let rulesHelp = """
        OVERVIEW: Print the default rules or check a rules file.

        Rules hold the field-report categories (phrases, agency, priority, SLA), security priorities and
        routes, traffic levels, the sensor TTL and alert thresholds.

        USAGE: \(rulesUsage)

        OPTIONS:
          --print-default         Print the embedded default rules as JSON.
          --check <file>          Check a rules file; every error is printed with its JSON path (exit 64).
          -h, --help              Show help information.

        """
}
