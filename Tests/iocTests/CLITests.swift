import Foundation
import IOCCore
import IOCTestSupport
import Testing

/// The built `ioc` run as a process: stdout, stderr and exit status, as a user sees them.
@Suite("ioc command line")
struct CLITests {
    @Test func versionAndHelp() throws {
        let v = try ProcessRunner.ioc(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.split(separator: ".").count == 3)
        for args in [["--help"], ["-h"], []] {
            let r = try ProcessRunner.ioc(args)
            #expect(r.status == 0)
            #expect(r.stdout.hasPrefix("OVERVIEW: "))
            #expect(r.stdout.contains("SUBCOMMANDS:"))
            #expect(r.stdout.contains("  run "))
            #expect(r.stderr.isEmpty)
        }
        let runHelp = try ProcessRunner.ioc(["run", "--help"])
        let helpRun = try ProcessRunner.ioc(["help", "run"])
        #expect(runHelp.status == 0 && helpRun.status == 0)
        #expect(runHelp.stdout == helpRun.stdout)
        #expect(runHelp.stdout.contains("USAGE: ioc run"))
        #expect(
            runHelp.stdout.contains("--window <duration>     Length of the tumbling event-time windows. (default: 60s)")
        )
        #expect(try ProcessRunner.ioc(["rules", "--help"]).stdout.contains("--print-default"))
    }

    @Test(
        "Bad flags: Error, Usage, hint, exit 64",
        arguments: [
            (["run", "--frobnicate"], "Error: Unknown option '--frobnicate'"),
            (["run", "--window", "soon"], "Error: The value 'soon' is invalid for '--window <duration>'"),
            (["run", "--window=0s"], "Error: The value '0s' is invalid for '--window <duration>'"),
            (["run", "--lateness"], "Error: Missing value for '--lateness'"),
            (
                ["gen", "--start", "2262-04-01T00:00:00Z"],
                "Error: The value '2262-04-01T00:00:00Z' is invalid for '--start <time>': expected an RFC 3339 time "
                    + "from 1678-01-01T00:00:00Z to 2261-12-31T00:00:00Z"
            ),
            (
                // RFC 3339, but before 64-bit nanoseconds begin: the range, not the format, is the problem.
                ["gen", "--start", "1600-01-01T00:00:00Z"],
                "Error: The value '1600-01-01T00:00:00Z' is invalid for '--start <time>': expected an RFC 3339 time "
                    + "from 1678-01-01T00:00:00Z"
            ),
            (
                ["run", "--max-future", "3000000h"],
                "Error: The value '3000000h' is invalid for '--max-future <duration>': at most 106751d23h47m16s854ms"
            ),
            (["run", "--max-line", "-5"], "Error: The value '-5' is invalid for '--max-line <n>'"),
            (
                ["run", "--max-line", "1073741825"],
                "Error: The value '1073741825' is invalid for '--max-line <n>': at most 1073741824 bytes (1 GiB)"
            ),
            (
                ["run", "--batch-size", "3000000000"],
                "Error: The value '3000000000' is invalid for '--batch-size <n>': at most 1073741824 bytes (1 GiB)"
            ),
            (
                ["bench", "--batch-size", "2147483648"],
                "Error: The value '2147483648' is invalid for '--batch-size <n>': at most 1073741824 bytes (1 GiB)"
            ),
            (
                ["run", "--threads", "100000"],
                "Error: The value '100000' is invalid for '--threads <n>': at most 256 parse workers"
            ),
            (
                ["bench", "--threads", "257"],
                "Error: The value '257' is invalid for '--threads <n>': at most 256 parse workers"
            ),
            (
                ["bench", "--events", "100000000000"],
                "Error: The value '100000000000' is invalid for '--events <n>': at most "
            ),
            (
                ["run", "--threads", "0"],
                "Error: The value '0' is invalid for '--threads <n>': expected a positive integer"
            ),
            (
                ["run", "/no/such/feed.ndjson"],
                "Error: cannot read input '/no/such/feed.ndjson': No such file or directory"
            ),
            (["run", "--summary=yes"], "Error: Option '--summary' takes no value"),
            (["run", "--rules", "/no/such/rules.json"], "Error: cannot read rules file '/no/such/rules.json'"),
            (["run", "--rules", "/"], "Error: cannot read rules file '/': Is a directory"),
        ])
    func badFlags(args: [String], message: String) throws {
        try expectUsageError(args, message)
    }

    @Test func unknownSubcommand() throws {
        let r = try ProcessRunner.ioc(["frob"])
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("Error: Unknown subcommand 'frob'\nUsage: ioc <subcommand>\n"))
        let version = try ProcessRunner.ioc(["--version", "extra"])
        #expect(version.status == 64)
        #expect(version.stdout.isEmpty)
        #expect(version.stderr.hasPrefix("Error: Unexpected argument 'extra'\nUsage: ioc <subcommand>\n"))
        let help = try ProcessRunner.ioc(["help", "run", "extra"])
        #expect(help.status == 64)
        #expect(help.stdout.isEmpty)
        #expect(help.stderr.hasPrefix("Error: Unexpected argument 'extra'\nUsage: ioc <subcommand>\n"))
    }

    /// An output that cannot be opened is a failure to write an output (SPEC §7: exit 1), with the path and the
    /// system's reason, and no usage lines (the command line was understood); the same wording as a write that
    /// fails later.
    @Test func unwritableOutputExitsOneWithPathAndReason() throws {
        let r = try ProcessRunner.ioc(["run", "--dead-letter", "/no/such/dir/dl.ndjson"], stdin: "")
        #expect(r.status == 1)
        #expect(r.stderr.contains("Error: cannot write /no/such/dir/dl.ndjson: No such file or directory"))
        #expect(!r.stderr.contains("Usage:"))
    }

    /// With `{route}` in `--dispatch`, a route whose file cannot be created (no folder for it) loses its lines
    /// and the run ends with exit 1, naming the file; every other route's lines still go out, and the snapshots
    /// are complete.
    @Test func aRouteWhoseFileCannotBeCreatedDoesNotStopTheOthers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-routes-\(getpid())")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("fire"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fire = #"{"kind":"field_report","ts":"2026-11-22T08:00:0N+07:00","id":"rN","status":"new","text":"cháy"}"#
        let theft = #"{"kind":"security","ts":"2026-11-22T08:00:05+07:00","sensor":"c","type":"intrusion"}"#
        let feed = [
            fire.replacingOccurrences(of: "N", with: "1"), theft, fire.replacingOccurrences(of: "N", with: "7"),
        ]
        let r = try ProcessRunner.ioc(
            [
                "run", "--max-future", "1000000h", "--snapshots", "-", "--dispatch",
                dir.path + "/{route}/inbox.ndjson",
            ], stdin: feed.joined(separator: "\n") + "\n")
        #expect(r.status == 1)
        #expect(
            r.stderr.contains("Error: cannot write \(dir.path)/police/inbox.ndjson: No such file or directory"),
            "\(r.stderr)")
        let sent = try String(contentsOfFile: dir.path + "/fire/inbox.ndjson", encoding: .utf8)
        #expect(sent.split(separator: "\n").count == 2)
        #expect(r.stdout.split(separator: "\n").count == 1, "the snapshot is written")
    }

    /// A read that fails during the run (`/proc/self/mem` of the reading process: EIO at offset 0) is exit 1,
    /// worded `cannot read PATH: REASON`.
    @Test func aReadThatFailsDuringTheRunIsExitOne() throws {
        let r = try ProcessRunner.ioc(["run", "/proc/self/mem", "--snapshots", "/dev/null"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("Error: cannot read /proc/self/mem: Input/output error"), "\(r.stderr)")
    }

    /// A write that fails once the run is going (here every write: `/dev/full` is writable, and full) is a failure
    /// to write an output, exit 1, worded as at start: `cannot write`, the path, the system's reason.
    @Test func aWriteThatFailsDuringTheRunIsExitOne() throws {
        let r = try ProcessRunner.ioc(
            ["run", "--dead-letter", "/dev/full", "--snapshots", "/dev/null"], stdin: "not json\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("Error: cannot write /dev/full: No space left on device"), "\(r.stderr)")
        #expect(!r.stderr.contains("Usage:"))
    }

    /// A `--batch-size` whose pool does not fit the process's address space (`ulimit -v`, as a container or a
    /// service manager may set) is exit 1 with the sizes and the reason, before any input is read; the same
    /// run with a pool that fits gives the sample's snapshots.
    @Test(arguments: [["run", "samples/city-morning.ndjson"], ["bench", "--events", "1000"]])
    func aBatchPoolBeyondTheAddressSpaceLimitIsExit1(args: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-pool-\(getpid())-\(args[0])")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let snapshots = dir.appendingPathComponent("snapshots.ndjson").path
        let output = args[0] == "run" ? ["--snapshots", snapshots] : []
        func run(batchSize: Int) throws -> ProcessResult {
            // 4 GB of address space: the 24 batches of 256 MiB (460 MB each with their event slots) do not fit.
            let command = (args + ["--threads", "2", "--batch-size", "\(batchSize)"] + output)
                .map { "'\($0)'" }.joined(separator: " ")
            return try ProcessRunner.run(
                URL(fileURLWithPath: "/bin/sh"),
                ["-c", "ulimit -v 4000000 && exec '\(TestPaths.iocBinary.path)' \(command)"],
                cwd: TestPaths.packageRoot)
        }
        let tooBig = try run(batchSize: 1 << 28)
        #expect(tooBig.status == 1, "\(tooBig.stderr)")
        #expect(tooBig.stderr.hasPrefix("Error: cannot allocate the pipeline's 24 batches of "), "\(tooBig.stderr)")
        #expect(
            tooBig.stderr.hasSuffix(
                " bytes each (--batch-size 268435456 with 2 parse workers): Cannot allocate memory\n"),
            "\(tooBig.stderr)")
        // Nothing was read, so nothing was written.
        #expect(((try? Data(contentsOf: URL(fileURLWithPath: snapshots))) ?? Data()).isEmpty)
        let fits = try run(batchSize: 1 << 20)
        #expect(fits.status == 0, "\(fits.stderr)")
        if args[0] == "run" {
            let expected = TestPaths.packageRoot.appendingPathComponent(
                "samples/expected/city-morning.snapshots.ndjson")
            #expect(try Data(contentsOf: URL(fileURLWithPath: snapshots)) == Data(contentsOf: expected))
        }
    }

    @Test func anOutputOnAnInputOrOnAnotherOutputIsExit64AndTouchesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-paths-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let feed = dir.appendingPathComponent("feed.ndjson").path
        let text = #"{"kind":"metric","ts":"2026-11-22T00:00:01Z","name":"m","value":1}"# + "\n"
        try text.write(toFile: feed, atomically: true, encoding: .utf8)
        let rules = dir.appendingPathComponent("rules.json").path
        try ProcessRunner.ioc(["rules", "--print-default"]).stdout.write(
            toFile: rules, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.ndjson").path
        // An input named as one of the rules' routes: `--dispatch '{route}.ndjson'` would write fire's reports on it.
        let fire = dir.appendingPathComponent("fire.ndjson").path
        try text.write(toFile: fire, atomically: true, encoding: .utf8)
        let staged = dir.appendingPathComponent("snap.tmp").path
        try text.write(toFile: staged, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (
                ["run", fire, "--snapshots", "/dev/null", "--dispatch", dir.path + "/{route}.ndjson"],
                "Error: --dispatch '\(fire)' is the input '\(fire)'"
            ),
            (
                ["run", feed, "--snapshots", dir.path + "/police.ndjson", "--dispatch", dir.path + "/{route}.ndjson"],
                "Error: --snapshots and --dispatch name the same file ('\(dir.path)/police.ndjson')"
            ),
            (["run", feed, "--snapshots", feed], "Error: --snapshots '\(feed)' is the input '\(feed)'"),
            (
                [
                    "run", feed, "--snapshots", "/dev/null", "--totals",
                    dir.path + "/../\(dir.lastPathComponent)/feed.ndjson",
                ],
                "Error: --totals '\(dir.path)/../\(dir.lastPathComponent)/feed.ndjson' is the input '\(feed)'"
            ),
            (
                ["run", feed, "--rules", rules, "--snapshots", "/dev/null", "--dead-letter", rules],
                "Error: --dead-letter '\(rules)' is the rules file '\(rules)'"
            ),
            (
                ["run", feed, "--snapshots", out, "--alerts", dir.path + "/./out.ndjson"],
                "Error: --snapshots and --alerts name the same file ('\(dir.path)/./out.ndjson')"
            ),
            (
                ["run", feed, "--latest", "/dev/null"],
                "Error: '--latest /dev/null' is not a regular file: the latest snapshot replaces it by a rename"
            ),
            (
                // `--latest P` writes each snapshot to `P.tmp` first.
                ["run", staged, "--snapshots", "/dev/null", "--latest", dir.path + "/snap"],
                "Error: --latest '\(staged)' is the input '\(staged)'"
            ),
        ]
        for (args, message) in cases {
            try expectUsageError(args, message)
            #expect(try String(contentsOfFile: feed, encoding: .utf8) == text)
            #expect(try String(contentsOfFile: fire, encoding: .utf8) == text)
            #expect(try String(contentsOfFile: staged, encoding: .utf8) == text)
            #expect(try String(contentsOfFile: rules, encoding: .utf8).contains("\"hỏa hoạn\""))
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        // Devices may be named as often as one likes, and `-` too, wherever stdout points.
        let r = try ProcessRunner.ioc([
            "run", feed, "--snapshots", "/dev/null", "--alerts", "/dev/null", "--dead-letter", "/dev/null",
        ])
        #expect(r.status == 0)
        let both = dir.appendingPathComponent("both.ndjson").path
        _ = FileManager.default.createFile(atPath: both, contents: nil)
        let dashes = try ProcessRunner.ioc(["run", feed, "--snapshots", "-", "--alerts", "-"], stdoutFile: both)
        #expect(dashes.status == 0, "\(dashes.stderr)")
        #expect(try String(contentsOfFile: both, encoding: .utf8).contains("ioc.snapshot/1"))
        // stdin redirected from the file the snapshots would truncate.
        let shell = try ProcessRunner.run(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "'\(TestPaths.iocBinary.path)' run - --snapshots '\(feed)' < '\(feed)'"])
        #expect(shell.status == 64)
        #expect(shell.stderr.hasPrefix("Error: --snapshots '\(feed)' is the standard input"), "\(shell.stderr)")
        #expect(try String(contentsOfFile: feed, encoding: .utf8) == text)
    }

    @Test(
        "A failed write to stdout is exit 1 with the reason",
        arguments: [
            ["rules", "--print-default"], ["--help"], ["bench", "--events", "2000", "--json"],
            ["bench", "--events", "2000"], ["run", "samples/city-morning.ndjson"],
            ["top", "samples/expected/city-morning.snapshots.ndjson"], ["gen", "--events", "100"],
        ])
    func writeToAFullDevice(args: [String]) throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            Issue.record("/dev/full is missing: the failed write cannot be tested on this machine")
            return
        }
        let r = try ProcessRunner.ioc(args, cwd: TestPaths.packageRoot, stdoutFile: "/dev/full")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("Error: cannot write to stdout: No space left on device"), "\(r.stderr)")
    }

    /// The README's first command: the bundled sample gives exactly the expected snapshots, alerts and dead letters.
    @Test func sampleMatchesExpectedByteForByte() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-sample-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ProcessRunner.ioc(
            [
                "run", "samples/city-morning.ndjson", "--summary", "--alerts", dir.appendingPathComponent("a").path,
                "--dead-letter", dir.appendingPathComponent("d").path,
            ], cwd: TestPaths.packageRoot)
        #expect(r.status == 0)
        let expected = TestPaths.samples.appendingPathComponent("expected")
        #expect(
            r.stdout
                == (try String(
                    contentsOf: expected.appendingPathComponent("city-morning.snapshots.ndjson"), encoding: .utf8)))
        #expect(
            try String(contentsOf: dir.appendingPathComponent("a"), encoding: .utf8)
                == String(contentsOf: expected.appendingPathComponent("city-morning.alerts.ndjson"), encoding: .utf8))
        #expect(
            try String(contentsOf: dir.appendingPathComponent("d"), encoding: .utf8)
                == String(
                    contentsOf: expected.appendingPathComponent("city-morning.dead-letter.ndjson"), encoding: .utf8))
        // --summary: one line per closed window, then the totals.
        let summary = r.stderr.split(separator: "\n")
        #expect(summary.filter { $0.hasPrefix("window ") }.count == 40)
        #expect(summary.contains("ioc: lines 751 accepted 741 rejected 10 ignored 0 late 4 duplicates 2 dropped 0"))
    }

    @Test func stdinAndDashAndFilesInOrder() throws {
        let line1 = #"{"kind":"metric","ts":"2026-11-22T00:00:01Z","name":"m","value":1}"#
        let line2 = #"{"kind":"metric","ts":"2026-11-22T00:01:01Z","name":"m","value":2}"#
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-in-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("second.ndjson")
        try (line2 + "\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try ProcessRunner.ioc(["run", "-", file.path, "--summary"], stdin: line1)
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").count == 2)
        #expect(r.stderr.contains("ioc: lines 2 accepted 2 rejected 0"))
    }

    @Test func rulesPrintDefaultRoundTripsThroughCheck() throws {
        let printed = try ProcessRunner.ioc(["rules", "--print-default"])
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("\"hỏa hoạn\""))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(getpid()).json")
        try printed.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let check = try ProcessRunner.ioc(["rules", "--check", file.path])
        #expect(check.status == 0)
        #expect(check.stdout == "\(file.path): ok\n")
    }

    @Test func rulesCheckReportsEveryErrorWithItsPath() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-rules-\(getpid()).json")
        try
            #"{"categories":[{"code":"fire","agency":"fire","priority":"P0","sla":"soon","phrases":["cháy"]}],"sensor_ttl":"999999999h","colour":"red"}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try ProcessRunner.ioc(["rules", "--check", file.path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("$.categories[0].priority: expected P1, P2, P3 or P4, got \"P0\""))
        #expect(r.stderr.contains("$.categories[0].sla: expected a positive duration"))
        #expect(r.stderr.contains("$.colour: unknown member"))
        #expect(
            r.stderr.contains("$.sensor_ttl: \"999999999h\" is longer than the longest duration, 106751d23h47m16s854ms")
        )
        let run = try ProcessRunner.ioc(["run", "--rules", file.path], stdin: "")
        #expect(run.status == 64)
        #expect(run.stderr.contains("$.colour: unknown member"))
    }

    /// One stream mixing native, Suricata EVE, Open311 and NGSI lines: all taken with `--format auto`; a forced
    /// format reads the others as its own (`missing_field:event_type` for `--format eve`).
    @Test func mixedFormatsFromTheCommandLine() throws {
        let lines = [
            #"{"kind":"metric","ts":"2026-11-22T00:00:01Z","name":"portal.up","value":1}"#,
            #"{"timestamp":"2026-11-21T19:00:02.000000-0500","event_type":"alert","host":"ids-1","alert":{"severity":1,"signature":"ET SCAN"}}"#,
            #"{"timestamp":"2026-11-21T19:00:03.000000-0500","event_type":"flow","flow":{"pkts_toserver":3}}"#,
            #"{"service_request_id":"638344","status":"open","service_name":"Pothole","description":"ổ gà lớn","requested_datetime":"2026-11-22T07:10:00+07:00"}"#,
            #"{"id":"urn:ngsi-ld:TrafficFlowObserved:1","type":"TrafficFlowObserved","intensity":120,"averageVehicleSpeed":22.5,"refRoadSegment":"Láng","dateObserved":"2026-11-22T00:00:00Z/2026-11-22T00:05:00Z"}"#,
        ]
        let feed = lines.joined(separator: "\n") + "\n"
        let auto = try ProcessRunner.ioc(
            ["run", "--snapshots", "/dev/null", "--totals", "-", "--window", "1d", "--lateness", "1d"], stdin: feed)
        #expect(auto.status == 0)
        let totals = try JSONValue.parse(Array(auto.stdout.utf8))
        #expect(totals.at("lines")?.int == 5)
        #expect(totals.at("accepted")?.int == 4)
        #expect(totals.at("ignored")?.int == 1)
        #expect(totals.at("by_kind.security")?.int == 1)
        #expect(totals.at("by_kind.field_report")?.int == 1)
        #expect(totals.at("by_kind.traffic")?.int == 1)
        let eve = try ProcessRunner.ioc(
            ["run", "--format", "eve", "--snapshots", "/dev/null", "--dead-letter", "-", "--window", "1d"], stdin: feed)
        #expect(eve.status == 0)
        let reasons = eve.stdout.split(separator: "\n").compactMap {
            try? JSONValue.parse(Array($0.utf8)).at("reason")?.string
        }
        #expect(reasons == ["missing_field:event_type", "missing_field:event_type", "missing_field:event_type"])
    }

    /// SIGTERM while the input is a named pipe nobody has opened for writing (the reader is blocked in open(2)):
    /// the run still ends with its totals and exit 0.
    @Test func sigtermWhileANamedPipeHasNoWriter() throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-fifo-\(UUID().uuidString)")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(at: fifo) }
        let process = Process()
        process.executableURL = TestPaths.iocBinary
        process.arguments = ["run", fifo.path, "--totals", "-", "--snapshots", "/dev/null"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        process.terminate()
        process.waitUntilExit()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(stdout.hasPrefix("{\"schema\":\"ioc.totals/1\",\"lines\":0"))
    }

    /// SIGTERM while reading a quiet pipe: the run drains, closes its windows, writes the counts and exits 0.
    /// SIGTERM drains and exits 0; so do two at once (GNU `timeout` signals the command and its process group
    /// together): they are one request, not "stop now".
    @Test(arguments: [1, 2])
    func sigtermDrainsAndExitsZero(signals: Int) throws {
        let process = Process()
        process.executableURL = TestPaths.iocBinary
        process.arguments = ["run", "--summary"]
        let input = Pipe()
        let out = Pipe()
        let err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let line = #"{"kind":"traffic","ts":"2026-11-22T00:00:05Z","sensor":"s","vehicles":3,"speed_kmh":41}"# + "\n"
        input.fileHandleForWriting.write(Data(line.utf8))
        // Give the reader time to take the line, then stop it while it waits for more.
        Thread.sleep(forTimeInterval: 0.5)
        for _ in 0..<signals { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(stdout.contains("\"traffic\":{\"readings\":1"))
        #expect(stderr.contains("ioc: lines 1 accepted 1"))
    }
}

/// Live behaviour of a running `ioc run`: rules reloaded on SIGHUP, a bad file keeps the old rules.
@Suite("ioc run signals")
struct SignalTests {
    @Test func sighupReloadsRulesAndKeepsThemWhenTheFileIsBad() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-hup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules.json")
        try #"{"sensor_ttl":"5m"}"#.write(to: rules, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = TestPaths.iocBinary
        process.arguments = ["run", "--rules", rules.path, "--snapshots", dir.appendingPathComponent("s").path]
        let input = Pipe()
        let err = Pipe()
        process.standardInput = input
        process.standardError = err
        try process.run()
        func send(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }
        send(#"{"kind":"metric","ts":"2026-11-22T00:00:01Z","name":"m","value":1}"#)
        Thread.sleep(forTimeInterval: 0.3)
        try #"{"sensor_ttl":"10m"}"#.write(to: rules, atomically: true, encoding: .utf8)
        // No input follows this signal: the reload must not wait for the next line.
        kill(process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        try #"{"sensor_ttl":"soon"}"#.write(to: rules, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        send(#"{"kind":"metric","ts":"2026-11-22T00:00:03Z","name":"m","value":1}"#)
        Thread.sleep(forTimeInterval: 0.3)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(stderr.contains("ioc: SIGHUP: reloaded rules from \(rules.path)"))
        #expect(stderr.contains("ioc: SIGHUP: kept the current rules:"))
        #expect(stderr.contains("$.sensor_ttl: expected a positive duration"))
    }
}
