import Benchmark
import IOCCore

/// The hot path of ioc-stream, stage by stage and then whole, on realistic city lines (see `CityLines`).
///
/// Wall-clock numbers move with the machine; allocation counts do not, so the thresholds are on
/// `mallocCountTotal` (see README.md and `Thresholds/`). The per-line benchmarks count one line (or one ring
/// operation) as one operation, so a single allocation per line shows as 1 in the table; the block benchmarks count
/// one 1 MB block as one operation.
let benchmarks: @Sendable () -> Void = {
    // One operation = one line. Warm-up grows every reusable buffer (scanner members, string store, classifier
    // scratch) to its working size; from then on a per-line path must not allocate at all.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .bytesPerSecond],
        warmupIterations: 5,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])]
    )

    var lineSource = CityLines()
    let lines = LineSet(lineSource.lines(400))

    // 1. The strict RFC 8259 scan of one line: the first thing every line goes through.
    var scanner = JSONScanner()
    Benchmark("JSONScanner.scan (1 line)") { benchmark in
        var cursor = lines.cursor
        benchmark.startMeasurement()
        var meter = ByteMeter()
        for _ in benchmark.scaledIterations {
            let line = lines[cursor.next()]
            meter.count(line)
            blackHole(scanner.scan(line))
        }
        benchmark.stopMeasurement()
        lines.cursor = cursor
        meter.report(to: benchmark)
    }

    // 2. Scan plus typed member checks of one line into a reused `Event` (what a parse worker does per line).
    var validator = EventValidator()
    var event = Event()
    var strings: [UInt8] = []
    strings.reserveCapacity(1024)
    Benchmark("EventValidator.validate (1 line)") { benchmark in
        var cursor = lines.cursor
        benchmark.startMeasurement()
        var meter = ByteMeter()
        for _ in benchmark.scaledIterations {
            let line = lines[cursor.next()]
            meter.count(line)
            strings.removeAll(keepingCapacity: true)
            blackHole(validator.validate(line, base: 0, now: farFuture, into: &event, strings: &strings))
        }
        benchmark.stopMeasurement()
        lines.cursor = cursor
        meter.report(to: benchmark)
    }

    // 3. Keyword classification of one report text (accented, unaccented and English), with the default rules.
    var classifier = PhraseClassifier(categories: Rules.default.categories.map { (code: $0.code, phrases: $0.phrases) })
    let texts = LineSet(
        CityLines.texts.filter { !$0.contains("\\") }.map { Array($0.utf8) } + [
            Array(
                "Sáng nay khoảng 7 giờ, tại ngã tư gần chợ có một đám cháy nhỏ ở quầy hàng, khói bốc lên rất nhiều, "
                    .utf8)
                + Array("người dân đã dùng bình chữa cháy nhưng vẫn cần lực lượng hỗ trợ kiểm tra".utf8)
        ])
    Benchmark("PhraseClassifier.classify (1 text)") { benchmark in
        var cursor = texts.cursor
        benchmark.startMeasurement()
        var meter = ByteMeter()
        for _ in benchmark.scaledIterations {
            let text = texts[cursor.next()]
            meter.count(text)
            blackHole(classifier.classify(text))
        }
        benchmark.stopMeasurement()
        texts.cursor = cursor
        meter.report(to: benchmark)
    }

    // 4. One hand-over between reader and processing stage, on one thread: push then pop, half-full ring.
    let ring = SPSCRing<Int>(capacity: 1024)
    for i in 0..<512 { _ = ring.tryPush(i) }
    Benchmark(
        "SPSCRing push+pop (Int)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .mega)
    ) { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(ring.tryPush(i))
            blackHole(ring.tryPop())
        }
    }

    // One operation = one block of about 1 MB (6,000-odd lines, ~5 minutes of city time, ~5 window closes).
    let blockMetrics: [BenchmarkMetric] = [
        .wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, .bytesPerSecond,
    ]

    // 5. The whole sequential per-line path: frame, validate, classify, aggregate, close windows and encode their
    //    snapshots. Each iteration feeds the next 1 MB of the same feed, so time moves on as in production.
    //
    //    Allocations per block (measured 1.38.1 / Swift 6.3.1, see README.md): none per line; per window close the
    //    new `WindowData` (its arrays and per-district maps), the rolling 15m/60m merged copies and the snapshot
    //    encoding (key names as `String`s, sorted rows), about 500 per close and ~5 closes per block (4,000 before
    //    the merges widened bucket ranges once instead of bucket by bucket); and per new key the interner and state
    //    tables growing (~100 new report ids and ~50 new dossiers per block). The count climbs over the first
    //    blocks as the rolling history fills, hence the slack.
    var feed = CityLines()
    let output = DiscardingOutput()
    let processor = LineProcessor(aggregator: WindowAggregator(output: output), now: farFuture)
    processor.beginSource("benchmark")
    Benchmark(
        "LineProcessor.feed (1 MB block)",
        configuration: .init(
            metrics: blockMetrics,
            warmupIterations: 3,
            scalingFactor: .one,
            // The allocation count grows with the state the feed has built up (see above), so the run must always
            // be exactly `maxIterations` blocks long: the duration limit is only a safety net.
            maxDuration: .seconds(120),
            maxIterations: 40,
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: Thresholds.lineProcessorSlack])]
        )
    ) { benchmark in
        let block = feed.block(byteCount: 1_000_000)
        block.withUnsafeBytes { bytes in
            benchmark.startMeasurement()
            var meter = ByteMeter()
            processor.feed(bytes)
            meter.count(bytes)
            benchmark.stopMeasurement()
            meter.report(to: benchmark)
        }
        blackHole(output.snapshots)
    }

    // 6. The parse-worker stage: frame, validate and classify a full 1 MiB `Batch` into its reused arrays. The
    //    batch is reused as the pipeline's pool does; its arrays were sized by `Batch.init` and the warm-up.
    let batch = Batch(capacity: 1 << 20)
    var batchSource = CityLines(startingAt: 3_600_000)
    let batchInput = batchSource.block(byteCount: 1 << 20)
    batchInput.withUnsafeBytes { batch.storage.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    var parser = BatchParser(rules: .default, maxLine: 1 << 20, maxFuture: 300_000_000_000)
    Benchmark(
        "BatchParser.parse (1 MiB batch)",
        configuration: .init(
            metrics: blockMetrics,
            warmupIterations: 3,
            scalingFactor: .one,
            maxDuration: .seconds(10),
            maxIterations: 100,
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: Thresholds.batchParserSlack])]
        )
    ) { benchmark in
        batch.reset()
        batch.count = batchInput.count
        batch.readAt = farFuture
        benchmark.startMeasurement()
        var meter = ByteMeter()
        parser.parse(batch)
        meter.count(batch.input)
        benchmark.stopMeasurement()
        meter.report(to: benchmark)
        blackHole(batch.events.count)
    }
}

/// How far the block benchmarks' allocation count may move from the value in `Thresholds/` before
/// `thresholds check` fails; see the comments at the benchmarks and README.md.
enum Thresholds {
    static let lineProcessorSlack = 800
    static let batchParserSlack = 8
}

/// A wall clock far ahead of the lines, so that none is rejected as `future` (as `CoreHarness` does).
let farFuture: Int64 = 4_000_000_000_000_000_000

extension BenchmarkMetric {
    /// Input bytes per second, timed around the measured loop: `throughput` counts operations (lines, blocks),
    /// this counts the bytes they carried.
    static let bytesPerSecond = BenchmarkMetric.custom("bytes/s", polarity: .prefersLarger, useScalingFactor: false)
}

/// Times a measured loop and sums the bytes it handled, without allocating.
struct ByteMeter {
    private let start = ContinuousClock.now
    private var bytes = 0

    mutating func count(_ buffer: UnsafeRawBufferPointer) { bytes += buffer.count }

    /// Records bytes per second of the loop as `.bytesPerSecond` (call after `stopMeasurement`).
    func report(to benchmark: Benchmark) {
        let elapsed = start.duration(to: .now).components
        let nanoseconds = Double(elapsed.seconds) * 1e9 + Double(elapsed.attoseconds) / 1e9
        guard nanoseconds > 0 else { return }
        benchmark.measurement(.bytesPerSecond, Int(Double(bytes) * 1e9 / nanoseconds))
    }
}

/// Lines (or texts) in one contiguous allocation that lives as long as the process, so the measured loops take
/// slices without `withUnsafeBytes` closures or retain/release of arrays.
final class LineSet {
    private let storage: UnsafeMutableRawBufferPointer
    private let ranges: [Range<Int>]
    /// Where the next measured loop continues, so every line gets its turn across iterations.
    var cursor: Cursor

    struct Cursor {
        fileprivate var index = 0
        fileprivate let count: Int

        mutating func next() -> Int {
            let i = index
            index = i + 1 == count ? 0 : i + 1
            return i
        }
    }

    init(_ lines: [[UInt8]]) {
        let storage = UnsafeMutableRawBufferPointer.allocate(
            byteCount: lines.reduce(0) { $0 + $1.count }, alignment: 16)
        var ranges: [Range<Int>] = []
        var offset = 0
        for line in lines {
            line.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: storage[offset...]).copyMemory(from: $0) }
            ranges.append(offset..<offset + line.count)
            offset += line.count
        }
        self.storage = storage
        self.ranges = ranges
        cursor = Cursor(count: lines.count)
    }

    var count: Int { ranges.count }

    subscript(i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[ranges[i]]) }
}
