import Foundation
import IOCCore
import IOCRuntime
import IOCTestSupport
import Testing

/// Runs the threaded pipeline on `inputs` and returns (snapshots, alerts, dead letters) as text.
private func runPipeline(
    _ inputs: [String], workers: Int, batchSize: Int, maxLine: Int = 1 << 20
) throws -> (String, String, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-pipe-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var options = RunOptions()
    options.inputs = inputs
    options.workers = workers
    options.batchSize = batchSize
    options.maxLine = maxLine
    options.handleSignals = false
    options.snapshots = dir.appendingPathComponent("s").path
    options.alerts = dir.appendingPathComponent("a").path
    options.deadLetter = dir.appendingPathComponent("d").path
    let status = try Runner(options: options).run()
    #expect(status == 0)
    return (
        try String(contentsOf: dir.appendingPathComponent("s"), encoding: .utf8),
        try String(contentsOf: dir.appendingPathComponent("a"), encoding: .utf8),
        try String(contentsOf: dir.appendingPathComponent("d"), encoding: .utf8)
    )
}

/// The same input through the single-threaded core (the oracle).
private func runCore(_ path: String, maxLine: Int = 1 << 20) throws -> (String, String, String) {
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let h = CoreHarness(maxLine: maxLine, now: wallClock())
    h.processor.aggregator.sources = []
    h.processor.beginSource(path)
    data.withUnsafeBytes { h.processor.feed($0) }
    h.processor.endSource()
    h.processor.finish()
    func text(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }
    return (text(h.output.snapshots), text(h.output.alerts), text(h.output.deadLetters))
}

/// `text` as a file, run through the core (one framer) and through the threaded pipeline (two workers).
private func coreAndPipeline(
    _ text: String, batchSize: Int, maxLine: Int
) throws -> (core: (String, String, String), pipeline: (String, String, String)) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-frame-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("feed.ndjson")
    try text.write(to: file, atomically: true, encoding: .utf8)
    return (
        try runCore(file.path, maxLine: maxLine),
        try runPipeline([file.path], workers: 2, batchSize: batchSize, maxLine: maxLine)
    )
}

private func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

@Suite("Threaded pipeline")
struct PipelineDeterminismTests {
    static let sample = TestPaths.samples.appendingPathComponent("city-morning.ndjson").path

    /// Thread count and batch size change nothing: byte-identical snapshots, alerts and dead letters, equal to the
    /// single-threaded core's.
    @Test(
        "Same bytes for any thread count and batch size",
        arguments: [(1, 1 << 20), (2, 1 << 20), (3, 4096), (2, 300), (4, 97)])
    func deterministic(workers: Int, batchSize: Int) throws {
        let expected = try runCore(Self.sample)
        let got = try runPipeline([Self.sample], workers: workers, batchSize: batchSize)
        #expect(got.0 == expected.0)
        #expect(got.1 == expected.1)
        #expect(got.2 == expected.2)
        #expect(got.0.split(separator: "\n").count == 40)
    }

    /// Over-long lines, CRLF, blank lines, a BOM and a last line without newline, across tiny batches.
    @Test("Framing edge cases agree with the core", arguments: [64, 100, 1000, 1 << 16])
    func framing(batchSize: Int) throws {
        let good = #"{"kind":"metric","ts":"2026-11-22T00:00:01Z","name":"m","value":1}"#
        let long =
            #"{"kind":"metric","ts":"2026-11-22T00:00:02Z","name":"m","value":2,"pad":""#
            + String(repeating: "x", count: 700) + "\"}"
        var text = "\u{FEFF}" + good + "\r\n\n   \n" + long + "\n" + good + "\n" + long + "\n" + long + "\r\n"
        text += String(repeating: "y", count: 450) + "\n" + good.replacingOccurrences(of: "00:01", with: "01:30") + "\n"
        text += "{\"kind\":\"traffic\"," + "\n" + long
        let (expected, got) = try coreAndPipeline(text, batchSize: batchSize, maxLine: 400)
        #expect(got.0 == expected.0)
        #expect(got.2 == expected.2)
        #expect(got.2.components(separatedBy: "line_too_long").count - 1 == 5)
        #expect(got.2.contains("\"line\":11"))  // the unterminated over-long last line
    }

    /// A `line_too_long` record's `raw` is the line cut to 4 KiB (SPEC §7), not to `--max-line`: all of a line of
    /// 150 or 4,096 bytes (without its `\r`), the first 4,096 of a longer one, whatever the batches it is read in
    /// and whether it ends the input.
    @Test("Over-long lines are recorded up to 4 KiB", arguments: [64, 97, 1000, 1 << 16])
    func overLongRecordsKeepFourKiB(batchSize: Int) throws {
        let good = #"{"kind":"metric","ts":"2026-11-22T00:00:01Z","name":"m","value":1}"#
        func line(_ n: Int) -> String { String(repeating: "a", count: n - 1) + "b" }
        let lengths = [150, 4095, 4096, 4097, 9000]
        var text = ""
        for n in lengths {
            text += good + "\n" + line(n) + (n == 4096 ? "\r\n" : "\n")
            // A blank line longer than --max-line is no line (SPEC §2): no record, but it is numbered.
            text += String(repeating: " ", count: n) + "\t\r\n"
        }
        text += line(3000)  // the last line, without a line feed
        let (expected, got) = try coreAndPipeline(text, batchSize: batchSize, maxLine: 100)
        #expect(got.2 == expected.2)
        let records = got.2.split(separator: "\n").map { try! JSONValue.parse(Array($0.utf8)) }
        #expect(records.map { $0.at("raw")!.string! } == (lengths + [3000]).map { String(line($0).prefix(4096)) })
        #expect(records.map { $0.at("line")!.int! } == [2, 5, 8, 11, 14, 16])
    }

    @Test func severalInputsKeepTheirOwnLineNumbers() throws {
        let got = try runPipeline([Self.sample, Self.sample], workers: 2, batchSize: 8192)
        let deadLetters = got.2.split(separator: "\n")
        // The second copy's bad lines have the same line numbers as the first's.
        let firstBad = deadLetters.first { $0.contains("bad_value:vehicles") }!
        #expect(deadLetters.filter { $0 == firstBad }.count == 2)
    }
}

@Suite("ioc bench")
struct BenchRunnerTests {
    @Test("The generated feed starts at 00:00 UTC a day or two before now")
    func startsAtMidnight() {
        let day: Int64 = 86_400_000_000_000
        // 2026-12-02T05:45:00Z and 23:59:59Z: both give 2026-12-01T00:00:00Z.
        let midnight = Int64(1_796_083_200) * 1_000_000_000
        #expect(Timestamp.string(midnight) == "2026-12-01T00:00:00Z")
        #expect(BenchRunner.benchStart(now: midnight + day + 20_700_000_000_000) == midnight)
        #expect(BenchRunner.benchStart(now: midnight + 2 * day - 1) == midnight)
        #expect(BenchRunner.benchStart(now: midnight + 2 * day) == midnight + day)
        #expect(BenchRunner.benchStart(now: 0) == -day)
    }

    @Test("Two runs of the same options give the same counts, late lines and snapshots included")
    func sameCountsEveryRun() {
        var options = BenchOptions()
        options.events = 100_000
        options.progress = false
        options.workers = 2
        options.batchSize = 64 << 10
        let first = BenchRunner.run(options)
        let second = BenchRunner.run(options)
        #expect(first.events == 100_000)
        #expect(first.counts.late > 0, "the feed's mild disorder makes some lines late")
        #expect(first.counts.accepted == second.counts.accepted)
        #expect(first.counts.late == second.counts.late)
        #expect(first.snapshots == second.snapshots)
        #expect(first.bytes == second.bytes)
    }
}
