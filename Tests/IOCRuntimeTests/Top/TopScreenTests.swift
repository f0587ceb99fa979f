import Foundation
import IOCRuntime
import IOCTestSupport
import Testing

@Suite("ioc top: screen")
struct TopScreenTests {
    /// Removes SGR sequences, leaving what the operator reads.
    static func strip(_ line: String) -> String {
        line.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    @Test func rendersTheLastSampleSnapshot() throws {
        let lines = TopScreen.render(CityMorning.model(), width: 120, height: 40, ansi: false)
        #expect(lines.count == 40)
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("\u{1B}"))
        #expect(lines[0].hasPrefix(" ioc top · city-morning"))
        #expect(lines[0].hasSuffix("40 snapshots "))
        #expect(lines[1] == "window 2026-11-22T00:39:00Z – 00:40:00Z  final  · watermark 2026-11-22T00:39:20Z")
        for expected in [
            "FIELD REPORTS  received 1  resolved 0  open 9  overdue 0  resolved share 67.6%",
            "TRAFFIC        readings 8  mean speed 36.2 km/h  free 2  moderate 5  heavy 1  jam 0",
            "SECURITY       events 1  P1 1  P2 0  P3 0  P4 0  routes police 1",
            "SERVICES       received 0  on time 0.0%  in progress 12  overdue 0",
            "METRICS        portal.response_ms  n 6  p95 518.2  last 327.7",
            "               portal.up           n 1  p95 1  last 1",
            "BACKLOG        open reports 9  overdue reports 0  dossiers on time 0.0% (0 of 1)  dossiers in progress 12"
                + "  overdue 0",
            // One second between the last two snapshots read, 751 − 746 lines apart.
            "PIPELINE       events/s 5  lines 751  rejected 10  late 4  dropped 0  ring fill -  watermark lag -",
            "ALERTS         4 active · raised 13 · cleared 9",
            "  P3  2026-11-22T00:38:00Z  sensor.offline  cam-dd-03",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)\n\(text)")
        }
        let slowest = try #require(lines.first { $0.hasPrefix("  slowest") })
        #expect(slowest.contains("Xuân Thủy 20.5 heavy · Giải Phóng 26.1 moderate"))
        let alerts = lines.filter { $0.hasPrefix("  P") }.map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(alerts == ["cam-dd-03", "smoke-bd-09", "cam-cg-04", "alarm-hbt-05"])
        #expect(lines.last == " q quit")
    }

    @Test func waitingScreenBeforeTheFirstSnapshot() {
        var model = TopModel(sourceName: "tcp://127.0.0.1:9000")
        model.sourceState = .disconnected(reason: "cannot connect: Connection refused")
        let lines = TopScreen.render(model, width: 80, height: 24, ansi: false)
        #expect(lines.count == 24)
        #expect(lines[0].contains("disconnected"))
        #expect(lines[1] == "DISCONNECTED: cannot connect: Connection refused (retrying every second)")
        #expect(lines.contains("waiting for snapshots…"))
    }

    @Test(arguments: [1, 10, 20, 33, 40, 59, 80, 100, 120, 250])
    func everyLineFitsTheWidth(width: Int) {
        let model = CityMorning.model(22)  // with the P1 hotspot, Vietnamese districts and segments
        for height in [1, 3, 8, 24, 40, 100] {
            for ansi in [false, true] {
                let lines = TopScreen.render(model, width: width, height: height, ansi: ansi)
                #expect(lines.count <= height)
                for line in lines {
                    #expect(DisplayWidth.of(Self.strip(line)) <= width, "\(width)×\(height): \(line)")
                    if !ansi { #expect(!line.contains("\u{1B}")) }
                }
            }
        }
    }

    @Test func narrowTerminalsWrapSectionsAtItems() {
        let lines = TopScreen.render(CityMorning.model(), width: 60, height: 40, ansi: false)
        let start = lines.firstIndex { $0.hasPrefix("FIELD REPORTS") }!
        #expect(lines[start] == "FIELD REPORTS  received 1  resolved 0  open 9  overdue 0")
        #expect(lines[start + 1] == "               resolved share 67.6%")
    }

    @Test func vietnameseDisplayWidth() {
        #expect(DisplayWidth.of("Nguyễn Trãi") == 11)
        // The same name decomposed (NFD): base letters plus combining marks, still 11 columns.
        let decomposed = "Nguye\u{0302}\u{0303}n Tra\u{0303}i"
        #expect(decomposed.unicodeScalars.count == 14)
        #expect(DisplayWidth.of(decomposed) == 11)
        #expect(DisplayWidth.of("Đống Đa") == 7)
        #expect(DisplayWidth.of("東京") == 4)
        #expect(DisplayWidth.of("a\u{200B}b") == 2)
    }

    @Test func vietnameseTruncation() {
        #expect(DisplayWidth.truncate("Đường Giải Phóng", to: 20) == "Đường Giải Phóng")
        #expect(DisplayWidth.truncate("Đường Giải Phóng", to: 16) == "Đường Giải Phóng")
        #expect(DisplayWidth.truncate("Đường Giải Phóng", to: 8) == "Đường G…")
        // A decomposed letter keeps its marks; the next letter is cut whole.
        let cut = DisplayWidth.truncate("Gia\u{0309}i Pho\u{0301}ng", to: 4)
        #expect(cut == "Gia\u{0309}…")
        #expect(DisplayWidth.of(cut) == 4)
        #expect(DisplayWidth.truncate("東京タワー", to: 4) == "東…")
        #expect(DisplayWidth.truncate("abc", to: 0) == "")
    }

    @Test func truncatedScreenLinesCountVietnameseColumns() {
        // The slowest segments of the last window, cut at 60 columns: "Xuân Thủy" and friends are one column per
        // letter, so the cut lands exactly on column 60.
        let lines = TopScreen.render(CityMorning.model(), width: 60, height: 40, ansi: false)
        let traffic = lines.filter { DisplayWidth.of($0) == 60 && $0.hasSuffix("…") }
        #expect(!traffic.isEmpty || lines.allSatisfy { DisplayWidth.of($0) <= 60 })
        let header = TopScreen.render(CityMorning.model(), width: 30, height: 10, ansi: false)[0]
        // The counts stay whole; the source name gives way.
        #expect(header == " ioc top · city… 40 snapshots ")
        #expect(DisplayWidth.of(header) == 30)
    }

    @Test func p1AlertsAreBoldRed() throws {
        let lines = TopScreen.render(CityMorning.model(22), width: 120, height: 40, ansi: true)
        let red = "\u{1B}[1;31m"
        let hotspot = try #require(lines.first { $0.contains("security.hotspot") })
        #expect(hotspot.hasPrefix(red))
        #expect(hotspot.hasSuffix("\u{1B}[0m"))
        #expect(Self.strip(hotspot) == "  P1  2026-11-22T00:22:00Z  security.hotspot  Đống Đa")
        // Nothing else is red; the P1 alert is the first one listed (newest, then most urgent).
        #expect(lines.filter { $0.contains(red) } == [hotspot])
        let alertRows = lines.filter { Self.strip($0).hasPrefix("  P") }
        #expect(alertRows.first == hotspot)
        #expect(alertRows.count == 5)
        // Without ANSI the same row, unstyled.
        let plain = TopScreen.render(CityMorning.model(22), width: 120, height: 40, ansi: false)
        #expect(plain.contains("  P1  2026-11-22T00:22:00Z  security.hotspot  Đống Đa"))
    }

    @Test func alertsThatDoNotFitAreCounted() {
        let lines = TopScreen.render(CityMorning.model(22), width: 120, height: 22, ansi: false)
        #expect(lines.count == 22)
        let rows = lines.filter { $0.hasPrefix("  P") }
        let more = lines.first { $0.hasPrefix("  … ") && $0.hasSuffix(" more") }
        #expect(more == "  … \(5 - rows.count) more")
        #expect(rows.first?.contains("security.hotspot") == true)
    }

    @Test func sparkline() {
        #expect(TopScreen.sparkline([0, 4, 8]) == "▁▅█")
        #expect(TopScreen.sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█")
        #expect(TopScreen.sparkline([0, 0]) == "▁▁")
        #expect(TopScreen.sparkline([]) == "")
        #expect(TopScreen.sparkline([5]) == "█")
    }

    @Test func sparklineShowsTheNewestWindowsThatFit() throws {
        let model = CityMorning.model()
        let wide = try #require(
            TopScreen.render(model, width: 120, height: 40, ansi: false).first { $0.hasPrefix("EVENTS/WINDOW") })
        let expected = TopScreen.sparkline(model.history.map(\.events))
        #expect(wide == "EVENTS/WINDOW  \(expected)  40 windows, max 23")
        // 30 columns leave 14 for bars: the 14 newest windows.
        let narrow = TopScreen.render(model, width: 30, height: 40, ansi: false).first { $0.hasPrefix("EVENTS/WINDOW") }
        let newest = TopScreen.sparkline(model.history.suffix(14).map(\.events))
        #expect(narrow?.hasPrefix("EVENTS/WINDOW  \(newest)") == true)
    }

    @Test func livePipelineMembersShownWhenPresent() throws {
        var model = CityMorning.model(39)
        let live = CityMorning.withLiveMembers(
            CityMorning.lines[39], #""ring_fill":0.25,"watermark_lag_ms":1500,"subscribers":2,"subscribers_dropped":1"#)
        model.ingest(line: Array(live.utf8), now: 40_000_000_000)
        let lines = TopScreen.render(model, width: 200, height: 40, ansi: false)
        let pipeline = try #require(lines.first { $0.hasPrefix("PIPELINE") })
        #expect(pipeline.hasSuffix("ring fill 25.0%  watermark lag 1,500 ms  subscribers 2 (dropped 1)"))
        // A replay has none of them: dashes, and no subscribers at all.
        let replay = TopScreen.render(CityMorning.model(), width: 200, height: 40, ansi: false)
        let plain = try #require(replay.first { $0.hasPrefix("PIPELINE") })
        #expect(plain.hasSuffix("ring fill -  watermark lag -"))
        #expect(!plain.contains("subscribers"))
    }

    @Test func skippedLinesAndProvisionalSnapshotsAreShown() {
        var model = CityMorning.model(3)
        for line in ["oops", "{}", "[]"] { model.ingest(line: Array(line.utf8), now: 0) }
        let provisional = CityMorning.lines[3].replacingOccurrences(of: #""final":true"#, with: #""final":false"#)
        model.ingest(line: Array(provisional.utf8), now: 0)
        let lines = TopScreen.render(model, width: 120, height: 40, ansi: false)
        #expect(lines[0].hasSuffix("4 snapshots · 3 lines skipped "))
        #expect(lines[1].contains("  provisional  ·"))
        #expect(lines.contains { $0.hasPrefix("EVENTS/WINDOW") && $0.contains("3 windows") })
    }

    @Test func plainSummaryLine() {
        #expect(
            TopScreen.summary(CityMorning.snapshot(0))
                == "2026-11-22T00:00:00Z – 00:01:00Z final  reports 2 (open 3, overdue 0)  traffic 8 at 36.7 km/h"
                + " (jam 0)  security 0 (P1 0)  services 1 (on time -, overdue 0)  accepted 30  rejected 0  alerts 0")
        #expect(TopScreen.summary(CityMorning.snapshot(21)).hasSuffix("alerts 5"))
    }
}
