import Foundation
import IOCRuntime
import IOCTestSupport
import Testing

/// The snapshot lines of `samples/expected/city-morning.snapshots.ndjson`: 40 final one-minute windows, alerts from
/// the 14th on, a P1 hotspot in the 22nd.
enum CityMorning {
    static let lines: [String] = {
        let url = TestPaths.samples.appendingPathComponent("expected/city-morning.snapshots.ndjson")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }()

    static func snapshot(_ index: Int) -> TopSnapshot {
        guard case .success(let s) = TopSnapshot.parse(Array(lines[index].utf8)) else {
            fatalError("sample line \(index) is not a snapshot")
        }
        return s
    }

    /// A model that has read the first `count` lines, one second apart.
    static func model(_ count: Int = 40) -> TopModel {
        var model = TopModel(sourceName: "city-morning")
        for (i, line) in lines.prefix(count).enumerated() {
            model.ingest(line: Array(line.utf8), now: Int64(i) * 1_000_000_000)
        }
        return model
    }

    /// `line` with `members` inserted after the pipeline's `"dropped":N`, as a live run writes them.
    static func withLiveMembers(_ line: String, _ members: String) -> String {
        guard let range = line.range(of: #""dropped":\d+"#, options: .regularExpression) else { return line }
        return line.replacingCharacters(in: range, with: line[range] + "," + members)
    }
}

@Suite("ioc top: model")
struct TopModelTests {
    @Test func readsEverySampleSnapshot() throws {
        #expect(CityMorning.lines.count == 40)
        let model = CityMorning.model()
        #expect(model.received == 40)
        #expect(model.skipped == 0)
        #expect(model.history.count == 40)
        let last = try #require(model.latest)
        #expect(last.windowStart == "2026-11-22T00:39:00Z")
        #expect(last.isFinal)
        #expect(last.lines == 751 && last.accepted == 741 && last.rejected == 10 && last.late == 4)
        #expect(last.reportsOpen == 9 && last.inProgress == 12)
        #expect(last.slowest.first?.name == "Xuân Thủy")
        #expect(last.slowest.first?.meanSpeed == 20.5 && last.slowest.first?.level == "heavy")
        #expect(last.slowest.count == 5)
        #expect(last.activeAlerts == 4 && last.alerts.count == 4)
        #expect(last.metrics.map(\.name) == ["portal.response_ms", "portal.up"])
    }

    /// Events per window = field reports received + traffic readings + security events + dossiers received + the
    /// metrics' counts: 2 + 8 + 0 + 1 + (6 + 1) in the first window.
    @Test func windowEventsAddUpTheWindowsCounts() {
        #expect(CityMorning.snapshot(0).windowEvents == 18)
        #expect(CityMorning.model(1).history.map(\.events) == [18])
    }

    @Test func malformedLinesAreCountedNotFatal() {
        var model = TopModel(sourceName: "test")
        let bad = [
            "not json", "{\"schema\":\"ioc.snapshot/1\"", "[1,2]", "{\"a\":1}",
            "{\"schema\":\"ioc.snapshot/2\",\"window\":{\"start\":\"x\",\"end\":\"y\",\"final\":true}}",
            "{\"schema\":\"ioc.snapshot/1\"}",
        ]
        for line in bad {
            let taken = model.ingest(line: Array(line.utf8), now: 0)
            #expect(!taken, "\(line)")
        }
        let blank = model.ingest(line: Array("   ".utf8), now: 0)  // blank: not a line at all
        let good = model.ingest(line: Array(CityMorning.lines[0].utf8), now: 0)
        #expect(!blank && good)
        #expect(model.skipped == bad.count)
        #expect(model.received == 1)
        #expect(model.latest?.windowStart == "2026-11-22T00:00:00Z")
    }

    @Test func alertsNewestFirstThenByPriority() {
        // Window 22: a P1 hotspot and a P3 sensor raised at the same close (00:22), older ones below.
        let ids = CityMorning.snapshot(21).alertsNewestFirst.map(\.id)
        #expect(
            ids == [
                "security.hotspot:Đống Đa", "sensor.offline:cam-cg-04", "sensor.offline:alarm-hbt-05",
                "sensor.offline:tr-08", "traffic.jam:Láng",
            ])
    }

    @Test func optionalPipelineMembers() throws {
        let replay = CityMorning.snapshot(39)
        #expect(replay.ringFill == nil && replay.watermarkLagMilliseconds == nil)
        #expect(replay.subscribers == nil && replay.subscribersDropped == nil)

        let live = CityMorning.withLiveMembers(
            CityMorning.lines[39], #""ring_fill":0.25,"watermark_lag_ms":1500,"subscribers":2,"subscribers_dropped":1"#)
        guard case .success(let s) = TopSnapshot.parse(Array(live.utf8)) else {
            Issue.record("live line did not parse")
            return
        }
        #expect(s.ringFill == 0.25 && s.watermarkLagMilliseconds == 1500)
        #expect(s.subscribers == 2 && s.subscribersDropped == 1)
        #expect(s.dropped == 0 && s.lines == 751)

        let noWatermarkYet = CityMorning.withLiveMembers(
            CityMorning.lines[0], #""ring_fill":0,"watermark_lag_ms":null"#)
        guard case .success(let n) = TopSnapshot.parse(Array(noWatermarkYet.utf8)) else {
            Issue.record("line with null lag did not parse")
            return
        }
        #expect(n.ringFill == 0 && n.watermarkLagMilliseconds == nil)
    }

    @Test func eventsPerSecondFromLineDeltasOverWallClock() {
        var model = TopModel(sourceName: "test")
        let first = CityMorning.snapshot(0)  // 30 lines
        let later = CityMorning.snapshot(39)  // 751 lines
        model.take(first, now: 0)
        #expect(model.eventsPerSecond == nil)
        // Too soon after the reference point: a burst read at once says nothing about the rate.
        model.take(CityMorning.snapshot(1), now: 100_000_000)
        #expect(model.eventsPerSecond == nil)
        model.take(later, now: 2_000_000_000)
        #expect(model.eventsPerSecond == Double(751 - 30) / 2)
        // The publisher sends its latest snapshot again on reconnect: not a measurement of zero events.
        model.take(later, now: 5_000_000_000)
        #expect(model.eventsPerSecond == Double(751 - 30) / 2)
        // A new run counts from zero again: no negative rate.
        model.take(first, now: 3_000_000_000)
        #expect(model.eventsPerSecond == nil)
    }

    @Test func historyKeepsTheLastHourOfFinalWindows() {
        var model = TopModel(sourceName: "test")
        // 3 hours of 10-minute windows: the last hour is the 6 windows ending after latest end − 1 h.
        for k in 0..<18 {
            let start = String(format: "2026-11-22T%02d:%02d:00Z", k / 6, (k % 6) * 10)
            let end = String(format: "2026-11-22T%02d:%02d:00Z", (k + 1) / 6, ((k + 1) % 6) * 10)
            model.ingest(line: Array(Self.minimal(start: start, end: end, final: true, readings: k).utf8), now: 0)
        }
        #expect(model.history.map(\.events) == [12, 13, 14, 15, 16, 17])
        // A provisional snapshot is shown but not a point of the sparkline.
        model.ingest(
            line: Array(
                Self.minimal(start: "2026-11-22T03:00:00Z", end: "2026-11-22T03:10:00Z", final: false, readings: 99)
                    .utf8),
            now: 0)
        #expect(model.latest?.isFinal == false)
        #expect(model.history.count == 6)
        // The publisher repeats its latest snapshot on reconnect: the same window is not drawn twice.
        model.ingest(
            line: Array(
                Self.minimal(start: "2026-11-22T02:50:00Z", end: "2026-11-22T03:00:00Z", final: true, readings: 17).utf8
            ),
            now: 0)
        #expect(model.history.count == 6)
    }

    static func minimal(start: String, end: String, final: Bool, readings: Int) -> String {
        #"{"schema":"ioc.snapshot/1","window":{"start":"\#(start)","end":"\#(end)","final":\#(final)},"traffic":{"readings":\#(readings)}}"#
    }
}

@Suite("ioc top: line buffer")
struct LineBufferTests {
    @Test func linesSpanChunksAndTheLastNeedsNoNewline() {
        var buffer = LineBuffer()
        var lines: [String] = []
        for chunk in ["ab", "c\nde", "f\n\ng", "h"] {
            buffer.append(Array(chunk.utf8)) { lines.append(String(decoding: $0, as: UTF8.self)) }
        }
        #expect(lines == ["abc", "def", ""])
        buffer.finish { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines == ["abc", "def", "", "gh"])
    }

    @Test func overlongLinesAreDroppedAndCounted() {
        var buffer = LineBuffer(maxLine: 4)
        var lines: [String] = []
        buffer.append(Array("ok\n0123".utf8)) { lines.append(String(decoding: $0, as: UTF8.self)) }
        buffer.append(Array("456789\nyes\n".utf8)) { lines.append(String(decoding: $0, as: UTF8.self)) }
        buffer.append(Array("abcdefgh\nz\n".utf8)) { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines == ["ok", "yes", "z"])
        #expect(buffer.overlong == 2)
    }

    @Test func resetDropsAPartialLine() {
        var buffer = LineBuffer()
        buffer.append(Array("{\"half".utf8)) { _ in }
        let dropped = buffer.reset()
        let droppedAgain = buffer.reset()
        #expect(dropped && !droppedAgain)
        var lines: [String] = []
        buffer.append(Array("new\n".utf8)) { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines == ["new"])
    }
}
