/// The screen of `ioc top` as lines of text: a pure function of the model and the terminal size, so a test can
/// look at exactly what an operator would see, with or without the ANSI styling.
///
/// ```
///  ioc top · samples/x.snapshots.ndjson                                  40 snapshots · 3 lines skipped
/// window 2026-11-22T00:39:00Z – 00:40:00Z  final  · watermark 2026-11-22T00:39:20Z
///
/// FIELD REPORTS  received 1  resolved 0  open 9  overdue 0  resolved share 67.6%
/// TRAFFIC        readings 8  mean speed 36.2 km/h  free 2  moderate 5  heavy 1  jam 0
///   slowest      Xuân Thủy 20.5 heavy · Giải Phóng 26.1 moderate · …
/// …
/// ALERTS         4 active · raised 13 · cleared 9
///   P3  2026-11-22T00:38:00Z  sensor.offline      cam-dd-03
/// ```
public enum TopScreen {
    /// How a span of text looks on a terminal.
    public enum Style: Sendable {
        case plain, bold, dim, reverse, warning
        /// P1 alerts: bold red.
        case urgent

        var ansi: String {
            switch self {
            case .plain: ""
            case .bold: "\u{1B}[1m"
            case .dim: "\u{1B}[2m"
            case .reverse: "\u{1B}[7m"
            case .warning: "\u{1B}[1;33m"
            case .urgent: "\u{1B}[1;31m"
            }
        }
    }

    /// A run of text in one style.
    public struct Span: Sendable {
        public var text: String
        public var style: Style

        public init(_ text: String, _ style: Style = .plain) {
            self.text = text
            self.style = style
        }
    }

    /// Columns of the label column ("FIELD REPORTS  ").
    static let labelWidth = 15
    /// Most metrics listed; the rest are summed up in one line.
    static let maxMetrics = 6
    /// The sparkline's levels, lowest first.
    public static let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    // MARK: - The screen

    /// The screen for a `width` × `height` terminal: at most `height` lines, none wider than `width` columns.
    /// With `ansi`, styles are SGR escape sequences (not counted in the width) and every styled span ends with a
    /// reset; without, the same text with no escapes.
    public static func render(_ model: TopModel, width: Int, height: Int, ansi: Bool) -> [String] {
        guard width > 0, height > 0 else { return [] }
        var body: [[Span]] = [header(model, width: width)]
        if case .disconnected(let reason) = model.sourceState {
            body.append([Span("DISCONNECTED: \(reason) (retrying every second)", .warning)])
        }
        guard let s = model.latest else {
            body.append([])
            body.append([Span("waiting for snapshots…", .dim)])
            return finish(body, footer: footer(model), width: width, height: height, ansi: ansi)
        }
        body.append(windowLine(s))
        body.append([])
        body.append(contentsOf: kindLines(s, width: width))
        body.append([])
        body.append(contentsOf: healthLines(model, s, width: width))
        body.append([])
        // Alerts take whatever room is left, keeping one line for the footer.
        let room = height - body.count - 1
        body.append(contentsOf: alertLines(s, room: room))
        return finish(body, footer: footer(model), width: width, height: height, ansi: ansi)
    }

    /// Cuts to the height (the footer on the last line when there is room), truncates to the width, renders.
    private static func finish(
        _ body: [[Span]], footer: [Span], width: Int, height: Int, ansi: Bool
    ) -> [String] {
        var lines = Array(body.prefix(height))
        if height >= 8 {
            if lines.count > height - 1 { lines.removeLast(lines.count - (height - 1)) }
            while lines.count < height - 1 { lines.append([]) }
            lines.append(footer)
        }
        return lines.map { render($0, width: width, ansi: ansi) }
    }

    /// One line of spans as text no wider than `width`; a cut line ends in `…` in the style of the span it cuts.
    static func render(_ spans: [Span], width: Int, ansi: Bool) -> String {
        func styled(_ text: String, _ style: Style) -> String {
            ansi && style != .plain && !text.isEmpty ? style.ansi + text + "\u{1B}[0m" : text
        }
        guard DisplayWidth.of(spans.map(\.text).joined()) > width else {
            return spans.map { styled($0.text, $0.style) }.joined()
        }
        var out = ""
        var budget = width - 1
        for span in spans {
            let w = DisplayWidth.of(span.text)
            if w <= budget {
                out += styled(span.text, span.style)
                budget -= w
            } else {
                out += styled(DisplayWidth.prefix(span.text, columns: budget) + "…", span.style)
                break
            }
        }
        return out
    }

    private static func header(_ model: TopModel, width: Int) -> [Span] {
        var left = " ioc top · \(model.sourceName)"
        switch model.sourceState {
        case .reading: break
        case .connected: left += " · connected"
        case .ended: left += " · input ended"
        case .disconnected: left += " · disconnected"
        }
        var right = "\(model.received) snapshot\(model.received == 1 ? "" : "s")"
        if model.skipped > 0 { right += " · \(model.skipped) line\(model.skipped == 1 ? "" : "s") skipped" }
        right += " "
        // The counts stay whole on the right; a long source name gives way first.
        let room = width - DisplayWidth.of(right) - 1
        if room < 12 { return [Span(left + " · " + right, .reverse)] }
        left = DisplayWidth.truncate(left, to: room)
        let gap = width - DisplayWidth.of(left) - DisplayWidth.of(right)
        return [Span(left + String(repeating: " ", count: gap) + right, .reverse)]
    }

    private static func windowLine(_ s: TopSnapshot) -> [Span] {
        var spans = [Span("window ", .bold), Span("\(s.windowStart) – \(shortEnd(s.windowStart, s.windowEnd))  ")]
        spans.append(s.isFinal ? Span("final", .bold) : Span("provisional", .warning))
        spans.append(Span("  · watermark \(s.watermark ?? "-")"))
        return spans
    }

    private static func kindLines(_ s: TopSnapshot, width: Int) -> [[Span]] {
        var lines: [[Span]] = []
        lines += wrapped(
            "FIELD REPORTS",
            [
                "received \(n(s.reportsReceived))", "resolved \(n(s.reportsResolved))", "open \(n(s.reportsOpen))",
                "overdue \(n(s.reportsOverdue))", "resolved share \(percent(s.reportsResolvedShare))",
            ], width: width)
        lines += wrapped(
            "TRAFFIC",
            ["readings \(n(s.trafficReadings))", "mean speed \(fixed(s.meanSpeed, 1)) km/h"]
                + s.levels.map { "\($0.name) \(n($0.value))" }, width: width)
        if !s.slowest.isEmpty {
            lines += wrapped(
                "  slowest", s.slowest.map { "\($0.name) \(fixed($0.meanSpeed, 1)) \($0.level)" }, separator: " · ",
                width: width, labelStyle: .dim)
        }
        var security = ["events \(n(s.securityEvents))"] + s.byPriority.map { "\($0.name) \(n($0.value))" }
        if !s.byRoute.isEmpty {
            security.append("routes " + s.byRoute.map { "\($0.name) \(n($0.value))" }.joined(separator: " "))
        }
        lines += wrapped("SECURITY", security, width: width)
        lines += wrapped(
            "SERVICES",
            [
                "received \(n(s.servicesReceived))", "on time \(percent(s.onTimeRate))",
                "in progress \(n(s.inProgress))", "overdue \(n(s.servicesOverdue))",
            ], width: width)
        if s.metrics.isEmpty {
            lines.append(labelled("METRICS", "-"))
        }
        let nameWidth = min(s.metrics.map { DisplayWidth.of($0.name) }.max() ?? 0, 32)
        for (i, m) in s.metrics.prefix(maxMetrics).enumerated() {
            let text =
                DisplayWidth.pad(m.name, to: nameWidth)
                + "  n \(n(m.count))  p95 \(number(m.p95))  last \(number(m.last))"
            lines.append(labelled(i == 0 ? "METRICS" : "", text))
        }
        if s.metrics.count > maxMetrics {
            lines.append([Span(indent), Span("… \(s.metrics.count - maxMetrics) more", .dim)])
        }
        return lines
    }

    private static func healthLines(_ model: TopModel, _ s: TopSnapshot, width: Int) -> [[Span]] {
        var lines: [[Span]] = []
        var onTime = "dossiers on time \(percent(s.onTimeRate))"
        if let resolved = s.servicesResolved, let onTimeCount = s.servicesResolvedOnTime {
            onTime += " (\(onTimeCount) of \(resolved))"
        }
        lines += wrapped(
            "BACKLOG",
            [
                "open reports \(n(s.reportsOpen))", "overdue reports \(n(s.reportsOverdue))", onTime,
                "dossiers in progress \(n(s.inProgress))", "overdue \(n(s.servicesOverdue))",
            ], width: width)
        var pipeline = [
            "events/s \(model.eventsPerSecond.map { grouped(Int($0.rounded())) } ?? "-")", "lines \(n(s.lines))",
            "rejected \(n(s.rejected))", "late \(n(s.late))", "dropped \(n(s.dropped))",
            "ring fill \(percent(s.ringFill))", "watermark lag \(milliseconds(s.watermarkLagMilliseconds))",
        ]
        if s.subscribers != nil || s.subscribersDropped != nil {
            pipeline.append("subscribers \(n(s.subscribers)) (dropped \(n(s.subscribersDropped)))")
        }
        lines += wrapped("PIPELINE", pipeline, width: width)
        let values = model.history.suffix(max(width - labelWidth - 1, 1)).map(\.events)
        if values.isEmpty {
            lines.append(labelled("EVENTS/WINDOW", "- (no final window yet)"))
        } else {
            let plural = values.count == 1 ? "" : "s"
            lines.append(
                labelled("EVENTS/WINDOW", sparkline(values)) + [
                    Span("  \(values.count) window\(plural), max \(grouped(values.max() ?? 0))", .dim)
                ])
        }
        return lines
    }

    private static func alertLines(_ s: TopSnapshot, room: Int) -> [[Span]] {
        let total = s.activeAlerts ?? s.alerts.count
        var lines: [[Span]] = [
            labelled("ALERTS", "\(total) active · raised \(n(s.raised)) · cleared \(n(s.cleared))")
        ]
        let alerts = s.alertsNewestFirst
        guard room > 1, !alerts.isEmpty else { return lines }
        let ruleWidth = min(alerts.map { DisplayWidth.of($0.rule) }.max() ?? 0, 24)
        // Keep the last line for "… more" when not everything fits.
        let shown = total == alerts.count && total <= room - 1 ? total : min(alerts.count, room - 2)
        for a in alerts.prefix(shown) {
            let text = "  \(a.priority)  \(a.since)  \(DisplayWidth.pad(a.rule, to: ruleWidth))  \(a.subject)"
            lines.append([Span(text, a.priority == "P1" ? .urgent : .plain)])
        }
        if total > shown { lines.append([Span("  … \(total - shown) more", .dim)]) }
        return lines
    }

    private static func footer(_ model: TopModel) -> [Span] {
        [Span(" q quit", .dim)]
    }

    // MARK: - Plain mode

    /// The line printed per snapshot when stdout is not a terminal: the window, final or provisional, the key
    /// KPIs and the number of active alerts.
    public static func summary(_ s: TopSnapshot) -> String {
        var parts = [
            "\(s.windowStart) – \(shortEnd(s.windowStart, s.windowEnd)) \(s.isFinal ? "final" : "provisional")"
        ]
        parts.append("reports \(n(s.reportsReceived)) (open \(n(s.reportsOpen)), overdue \(n(s.reportsOverdue)))")
        let jam = s.levels.first { $0.name == "jam" }?.value
        parts.append("traffic \(n(s.trafficReadings)) at \(fixed(s.meanSpeed, 1)) km/h (jam \(n(jam)))")
        parts.append("security \(n(s.securityEvents)) (P1 \(n(s.byPriority.first?.value)))")
        parts.append(
            "services \(n(s.servicesReceived)) (on time \(percent(s.onTimeRate)), overdue \(n(s.servicesOverdue)))")
        parts.append("accepted \(n(s.accepted))")
        parts.append("rejected \(n(s.rejected))")
        parts.append("alerts \(s.activeAlerts ?? s.alerts.count)")
        return parts.joined(separator: "  ")
    }

    // MARK: - Pieces

    /// A sparkline of `values`, one bar each, scaled so the largest is `█` and 0 is `▁`.
    public static func sparkline(_ values: [Int]) -> String {
        let top = values.max() ?? 0
        guard top > 0 else { return String(repeating: bars[0], count: values.count) }
        return String(
            values.map { v in
                let level = Int((Double(max(v, 0)) / Double(top) * Double(bars.count - 1)).rounded())
                return bars[min(max(level, 0), bars.count - 1)]
            })
    }

    private static let indent = String(repeating: " ", count: labelWidth)
    /// Lines a section may wrap to on a narrow terminal; what does not fit then is cut with `…`.
    private static let maxWrappedLines = 3

    private static func labelled(_ label: String, _ text: String, labelStyle: Style = .bold) -> [Span] {
        [Span(DisplayWidth.pad(label, to: labelWidth), labelStyle), Span(text)]
    }

    /// `items` after the label, wrapped at item boundaries onto indented lines when the terminal is narrow.
    private static func wrapped(
        _ label: String, _ items: [String], separator: String = "  ", width: Int, labelStyle: Style = .bold
    ) -> [[Span]] {
        let room = width - labelWidth
        var rows: [String] = []
        var row = ""
        for item in items {
            let candidate = row.isEmpty ? item : row + separator + item
            if row.isEmpty || DisplayWidth.of(candidate) <= room || rows.count == maxWrappedLines - 1 {
                row = candidate
            } else {
                rows.append(row)
                row = item
            }
        }
        rows.append(row)
        return rows.enumerated().map { i, text in labelled(i == 0 ? label : "", text, labelStyle: labelStyle) }
    }

    /// `end` without the date when it is the same day as `start`.
    static func shortEnd(_ start: String, _ end: String) -> String {
        let day = 11  // "YYYY-MM-DDT"
        guard start.utf8.count > day, end.utf8.count > day, start.utf8.prefix(day).elementsEqual(end.utf8.prefix(day))
        else { return end }
        return String(end.dropFirst(day))
    }

    static func n(_ value: Int?) -> String { value.map(grouped) ?? "-" }

    /// An integer with thousands separators: 12,345.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "-" }
        return fixed(ratio * 100, 1) + "%"
    }

    static func milliseconds(_ ms: Int?) -> String {
        guard let ms else { return "-" }
        return ms >= 10_000 ? fixed(Double(ms) / 1000, 1) + " s" : "\(grouped(ms)) ms"
    }

    /// A measurement: whole numbers as they are, others with one decimal (three below 10).
    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value.rounded() == value && value.magnitude < 1e15 { return grouped(Int(value)) }
        return fixed(value, value.magnitude < 10 ? 3 : 1)
    }

    /// `value` with exactly `decimals` digits after the point, or `-`.
    static func fixed(_ value: Double?, _ decimals: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded()
        guard scaled < 9e15 else { return value.description }
        let whole = Int(scaled) / Int(scale)
        let fraction = Int(scaled) % Int(scale)
        var text = (value < 0 && scaled > 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return text
    }
}
