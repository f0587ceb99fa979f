/// The closed windows of one rolling section (SPEC §5's `rolling.15m` / `rolling.60m`: the windows whose start is
/// at or after the closing window's end minus the span), kept so that a close merges a handful of windows rather
/// than every window of the span.
///
/// A queue of windows, oldest first, held as two stacks (the classic sliding-window aggregation): windows arrive
/// on the back, which keeps the merge of all its windows; the front keeps, for each of its windows, the merge of
/// that window and every newer one of the front. When the front runs out, the back's windows move over, merged
/// once each. Every window is thus merged about three times in its life, whatever the span, instead of once per
/// close while it is in the span (59 times for a 60-minute section of one-minute windows).
///
/// Merges always add an older window into a newer one (`WindowData.merge(older:)`), so a metric's `last` is the
/// newest window's, as when the windows are merged one by one.
struct RollingSpan {
    /// How far back from a closing window's end the section reaches (nanoseconds).
    let span: Int64

    /// Windows pushed since the front was last refilled, oldest first.
    private var back: [WindowData] = []
    /// The merge of all of `back`.
    private var backMerged: WindowData?
    /// Oldest last: the start of each window and the merge of that window and every newer one of the front.
    private var front: [(start: Int64, merged: WindowData)] = []

    init(span: Int64) { self.span = span }

    /// `data` (the window being closed or the open one, ending at `end`) merged with the closed windows whose start
    /// is at or after `end - span`; forgets the older ones first. `end` must not go backwards between calls.
    ///
    /// - Complexity: O(1) merges amortised.
    mutating func section(_ data: WindowData, end: Int64) -> WindowData {
        evict(before: end.saturatingSubtracting(span))
        var merged = data
        if let backMerged { merged.merge(older: backMerged) }
        if let oldest = front.last { merged.merge(older: oldest.merged) }
        return merged
    }

    /// Adds a closed window, newer than every window already here.
    ///
    /// - Complexity: one merge.
    mutating func push(_ data: WindowData) {
        back.append(data)
        if let older = backMerged {
            var merged = data
            merged.merge(older: older)
            backMerged = merged
        } else {
            backMerged = data
        }
    }

    private mutating func evict(before horizon: Int64) {
        while true {
            if front.isEmpty {
                guard let first = back.first, first.start < horizon else { return }
                refillFront()
            }
            guard let oldest = front.last, oldest.start < horizon else { return }
            front.removeLast()
        }
    }

    /// Moves the back's windows to the front, merging from the newest down.
    private mutating func refillFront() {
        var running: WindowData?
        for w in back.reversed() {
            if var r = running {
                r.merge(older: w)
                running = r
            } else {
                running = w
            }
            front.append((w.start, running!))
        }
        back.removeAll(keepingCapacity: true)
        backMerged = nil
    }
}
