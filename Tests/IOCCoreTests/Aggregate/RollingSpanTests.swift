import Testing

@testable import IOCCore

/// A window of `start` minutes with `readings` traffic readings, one segment's speed, and a metric's last value.
private func window(minute: Int64, readings: Int, speed: Double, last: Double?) -> WindowData {
    var w = WindowData(start: minute * 60_000_000_000, categories: 2)
    w.readings = readings
    w.reportsByCategory[minute % 2 == 0 ? 0 : 1] = readings
    w.segments.update(Int32(minute % 3), default: SpeedSum()) { $0.add(speed) }
    if let last { w.metrics.update(7, default: MetricWindow()) { $0.add(last) } }
    return w
}

@Suite("Rolling sections")
struct RollingSpanTests {
    /// What the sections were before the queue: the closing window merged with every earlier one in the span,
    /// newest first.
    private func oneByOne(_ data: WindowData, _ closed: [WindowData], end: Int64, span: Int64) -> WindowData {
        var merged = data
        for w in closed.reversed() where w.start >= end - span { merged.merge(older: w) }
        return merged
    }

    @Test(arguments: [5, 15, 60])
    func sectionsEqualMergingEveryWindowInTheSpan(minutes: Int64) {
        let span = minutes * 60_000_000_000
        var rolling = RollingSpan(span: span)
        var closed: [WindowData] = []
        // 200 one-minute windows: the queue refills its front many times over; some windows have no metric, so
        // `last` must come from the newest window that has one.
        for k in Int64(0)..<200 {
            let data = window(
                minute: k, readings: Int(k % 7) + 1, speed: Double(k % 11) + 0.1, last: k % 4 == 3 ? nil : Double(k))
            let end = data.start + 60_000_000_000
            let got = rolling.section(data, end: end)
            let want = oneByOne(data, closed, end: end, span: span)
            #expect(got.readings == want.readings, "window \(k)")
            #expect(got.reportsByCategory == want.reportsByCategory, "window \(k)")
            for (segment, sum) in want.segments {
                #expect(got.segments[segment]?.count == sum.count, "window \(k) segment \(segment)")
                #expect(got.segments[segment]?.mean == sum.mean, "window \(k) segment \(segment)")
            }
            #expect(got.segments.count == want.segments.count)
            #expect(got.metrics[7]?.last == want.metrics[7]?.last, "window \(k)")
            #expect(got.metrics[7]?.values.count == want.metrics[7]?.values.count, "window \(k)")
            rolling.push(data)
            closed.append(data)
        }
    }

    /// Windows made before and after rules reloads hold category counts of different lengths; a shorter one
    /// merged with the others in the queue must not cut an older, longer one's counts off (found in review).
    @Test func categoryCountsSurviveAShorterWindowBetween() {
        let minute: Int64 = 60_000_000_000
        var a = WindowData(start: 0, categories: 3)
        a.reportsByCategory[2] = 5
        let b = WindowData(start: minute, categories: 2)
        var rolling = RollingSpan(span: 15 * minute)
        rolling.push(a)
        rolling.push(b)
        let open = WindowData(start: 2 * minute, categories: 3)
        var oneByOne = open
        oneByOne.merge(older: b)
        oneByOne.merge(older: a)
        #expect(oneByOne.reportsByCategory == [0, 0, 5])
        #expect(rolling.section(open, end: 3 * minute).reportsByCategory == oneByOne.reportsByCategory)
    }

    @Test func aSectionAfterAGapHoldsOnlyTheClosingWindow() {
        var rolling = RollingSpan(span: 15 * 60_000_000_000)
        for k in Int64(0)..<10 { rolling.push(window(minute: k, readings: 1, speed: 20, last: 1)) }
        // Two hours later: every kept window is out of the span.
        let data = window(minute: 130, readings: 4, speed: 30, last: 2)
        let got = rolling.section(data, end: data.start + 60_000_000_000)
        #expect(got.readings == 4)
        #expect(got.metrics[7]?.values.count == 1)
    }

    @Test func theOpenWindowSeesTheSameWindowsAsItsCloseLater() {
        // A provisional snapshot of the open window, then its close: both with the same end, same section.
        var rolling = RollingSpan(span: 15 * 60_000_000_000)
        for k in Int64(0)..<30 { rolling.push(window(minute: k, readings: 1, speed: 20, last: 1)) }
        let open = window(minute: 30, readings: 2, speed: 20, last: 1)
        let end = open.start + 60_000_000_000
        let provisional = rolling.section(open, end: end)
        let atClose = rolling.section(open, end: end)
        #expect(provisional.readings == 16)
        #expect(atClose.readings == 16)
    }
}
