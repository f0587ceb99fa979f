import Dispatch
import Foundation
import IOCCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ioc bench`: what to run.
public struct BenchOptions: Sendable {
    public var events = 1_000_000
    public var seed: UInt64 = 42
    public var badRatio = 0.0
    public var workers: Int?
    public var batchSize = 1 << 19
    public var json = false
    /// Print a progress line on stderr while running (when stderr is a terminal).
    public var progress = true

    public init() {}
}

/// The figures `ioc bench` reports.
public struct BenchResult: Sendable {
    public var events: Int
    public var bytes: Int
    public var generateSeconds: Double
    public var elapsedSeconds: Double
    public var parseSeconds: Double
    public var applySeconds: Double
    public var workers: Int
    public var latencyP50: Int64
    public var latencyP99: Int64
    public var latencyMax: Int64
    public var peakRSSBytes: Int
    public var counts: PipelineCounts
    public var snapshots: Int

    public var eventsPerSecond: Double { Double(events) / elapsedSeconds }
    public var megabytesPerSecond: Double { Double(bytes) / 1e6 / elapsedSeconds }
}

/// Counts snapshots and throws everything else away.
final class NullOutput: AggregatorOutput {
    var snapshots = 0
    func snapshot(_ json: UnsafeRawBufferPointer, final: Bool) { snapshots += 1 }
    func alert(_ json: UnsafeRawBufferPointer) {}
    func deadLetter(_ json: UnsafeRawBufferPointer) {}
    func dispatch(route: String, line: UnsafeRawBufferPointer) {}
    func summary(_ line: String) {}
    var wantsDispatch: Bool { false }
    var wantsDeadLetters: Bool { false }
    var wantsSummaries: Bool { false }
}

/// Generates a feed in memory, runs the whole pipeline on it (the same stages as `ioc run`) and reports
/// throughput, time per stage, read→applied latency and peak memory.
public enum BenchRunner {
    /// Bytes reserved per event for the in-memory feed (the generator's lines average about 180).
    static let bytesPerEvent = 190

    /// The most events `--events` takes on this machine: the whole feed is held in memory, and it may take at
    /// most half of it (24 GiB of memory: about 67 million events, 12 GB of feed).
    public static var maxEvents: Int {
        max(1, Int(ProcessInfo.processInfo.physicalMemory / 2) / bytesPerEvent)
    }

    public static func run(_ options: BenchOptions) -> BenchResult {
        // 1. The feed, in memory, so the disk is not what is measured.
        let t0 = monotonicNanoseconds()
        var generatorOptions = FeedGenerator.Options(start: benchStart(now: wallClockNanoseconds()))
        generatorOptions.seed = options.seed
        generatorOptions.events = options.events
        generatorOptions.badRatio = options.badRatio
        var generator = FeedGenerator(generatorOptions)
        var feed: [UInt8] = []
        feed.reserveCapacity(options.events * bytesPerEvent)
        while generator.next(into: &feed) {}
        let generated = Double(monotonicNanoseconds() - t0) / 1e9

        // 2. The pipeline.
        var runOptions = RunOptions()
        runOptions.workers = options.workers
        runOptions.batchSize = options.batchSize
        runOptions.handleSignals = false
        let workers = RunOptions.workerCount(options.workers)
        let output = NullOutput()
        let aggregator = WindowAggregator(rules: .default, config: AggregatorConfig(), output: output)
        aggregator.sources = []
        let stats = PipelineStats()
        let done = Atomic<Bool>(false)
        let total = feed.count
        let isTTY = isatty(STDERR_FILENO) != 0
        let start = monotonicNanoseconds()
        let progress: Thread? =
            options.progress && isTTY
            ? Thread {
                while !done.load(ordering: .acquiring) {
                    usleep(250_000)
                    let elapsed = Double(monotonicNanoseconds() - start) / 1e9
                    let mb = Double(stats.bytes) / 1e6
                    let line = String(
                        format: "\rbench: %3.0f%%  %@ events  %.0f MB/s ",
                        100 * Double(stats.bytes) / Double(max(total, 1)),
                        String(stats.events), elapsed > 0 ? mb / elapsed : 0)
                    FileHandle.standardError.write(Data(line.utf8))
                }
            } : nil
        progress?.start()
        feed.withUnsafeBytes { bytes in
            let pipeline = BatchPipeline(
                inputs: [.memory(name: "bench", bytes: bytes)], rules: .default, options: runOptions, stop: StopFlag(),
                stats: stats)
            _ = pipeline.run(into: aggregator)
            aggregator.finish()
        }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        done.store(true, ordering: .releasing)
        if progress != nil {
            usleep(300_000)
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return BenchResult(
            events: generator.linesGenerated, bytes: total, generateSeconds: generated, elapsedSeconds: elapsed,
            parseSeconds: stats.parseSeconds, applySeconds: stats.applySeconds, workers: workers,
            latencyP50: stats.latency(0.5), latencyP99: stats.latency(0.99), latencyMax: stats.latency(1.0),
            peakRSSBytes: Int(usage.ru_maxrss) * 1024, counts: aggregator.counts, snapshots: output.snapshots)
    }

    /// Where the generated feed's event time starts: 00:00 UTC (07:00 in Hanoi, the morning rush) of the day before
    /// `now`'s, 24 to 48 hours back, so the feed is in the past, and its events fall on the same places of their
    /// windows whenever it runs: the same options give the same counts (accepted, late, snapshots) on every run,
    /// not only the same lines.
    public static func benchStart(now: Int64) -> Int64 {
        let day: Int64 = 86_400_000_000_000
        return FeedGenerator.floorDiv(now - day, day) * day
    }

    /// The human table.
    public static func table(_ r: BenchResult, seed: UInt64) -> String {
        func ms(_ ns: Int64) -> String { String(format: "%.1f ms", Double(ns) / 1e6) }
        func grouped(_ n: Int) -> String {
            let s = String(n)
            var out = ""
            for (i, c) in s.reversed().enumerated() {
                if i > 0 && i % 3 == 0 { out.append(",") }
                out.append(c)
            }
            return String(out.reversed())
        }
        return """
            ioc bench: \(grouped(r.events)) events, \(String(format: "%.1f", Double(r.bytes) / 1e6)) MB generated \
            in memory in \(String(format: "%.2f", r.generateSeconds)) s (seed \(seed))
              pipeline          reader → \(r.workers) parse worker\(r.workers == 1 ? "" : "s") → aggregator
              elapsed           \(String(format: "%.3f", r.elapsedSeconds)) s
              throughput        \(grouped(Int(r.eventsPerSecond))) events/s   \(String(format: "%.1f", r.megabytesPerSecond)) MB/s
              stage busy time   parse \(String(format: "%.3f", r.parseSeconds)) s (summed over workers)   \
            aggregate \(String(format: "%.3f", r.applySeconds)) s
              latency           read→applied p50 \(ms(r.latencyP50))   p99 \(ms(r.latencyP99))   max \(ms(r.latencyMax))
              peak RSS          \(r.peakRSSBytes / 1_048_576) MB (the generated feed included)
              counts            accepted \(grouped(r.counts.accepted))   rejected \(grouped(r.counts.rejected))   \
            late \(grouped(r.counts.late))   snapshots \(r.snapshots)

            """
    }

    /// The same figures as one JSON object.
    public static func json(_ r: BenchResult, seed: UInt64) -> String {
        var w = JSONWriter()
        w.raw("{\"schema\":\"ioc.bench/1\",\"seed\":")
        w.int(Int64(bitPattern: seed))
        w.raw(",\"events\":")
        w.int(r.events)
        w.raw(",\"bytes\":")
        w.int(r.bytes)
        w.raw(",\"workers\":")
        w.int(r.workers)
        w.raw(",\"generate_s\":")
        w.double(r.generateSeconds)
        w.raw(",\"elapsed_s\":")
        w.double(r.elapsedSeconds)
        w.raw(",\"events_per_s\":")
        w.double(r.eventsPerSecond.rounded())
        w.raw(",\"mb_per_s\":")
        w.double((r.megabytesPerSecond * 10).rounded() / 10)
        w.raw(",\"stages\":{\"parse_s\":")
        w.double(r.parseSeconds)
        w.raw(",\"aggregate_s\":")
        w.double(r.applySeconds)
        w.raw("},\"latency_ms\":{\"p50\":")
        w.double(Double(r.latencyP50) / 1e6)
        w.raw(",\"p99\":")
        w.double(Double(r.latencyP99) / 1e6)
        w.raw(",\"max\":")
        w.double(Double(r.latencyMax) / 1e6)
        w.raw("},\"peak_rss_bytes\":")
        w.int(r.peakRSSBytes)
        w.raw(",\"accepted\":")
        w.int(r.counts.accepted)
        w.raw(",\"rejected\":")
        w.int(r.counts.rejected)
        w.raw(",\"late\":")
        w.int(r.counts.late)
        w.raw(",\"snapshots\":")
        w.int(r.snapshots)
        w.byte(0x7D)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
