/// A field report's lifecycle, indexed by its interned id.
public struct ReportState: Sendable, BitwiseCopyable {
    /// `ts` of its `new`, or `Int64.min` before one arrived.
    public var newTs: Int64 = .min
    /// When it becomes overdue: `new` ts + category SLA (or an adapter's explicit due).
    public var due: Int64 = .max
    public var category: Int16 = -1
    public var resolved = false
    public var rejected = false
    /// Counted in `overdue` (and its `report.overdue` alert raised).
    public var overdue = false

    public var hasNew: Bool { newTs != .min }
    public var isOpen: Bool { hasNew && !resolved && !rejected }
}

/// A dossier's lifecycle, indexed by its interned id.
public struct DossierState: Sendable, BitwiseCopyable {
    public var received = false
    public var resolved = false
    public var returned = false
    /// Counted in `overdue` (in progress with a due passed at the last close).
    public var overdue = false
    /// Agency of its first `received`, or -1.
    public var agency: Int32 = -1
    /// Due time from either event, or `Int64.min` when unknown.
    public var due: Int64 = .min

    public var inProgress: Bool { received && !resolved && !returned }
}

/// A binary min-heap of `(due, id)`, so overdue items are found as the clock passes them, not by scanning.
struct DueHeap: Sendable {
    private(set) var items: [(due: Int64, id: Int32)] = []

    var isEmpty: Bool { items.isEmpty }
    var top: (due: Int64, id: Int32)? { items.first }

    /// Room for `n` items without growing (address space only until they arrive).
    mutating func reserve(_ n: Int) { items.reserveCapacity(n) }

    /// - Complexity: O(log n); allocates only on amortised growth.
    mutating func push(_ due: Int64, _ id: Int32) {
        items.append((due, id))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if less(items[i], items[parent]) {
                items.swapAt(i, parent)
                i = parent
            } else {
                break
            }
        }
    }

    /// - Complexity: O(log n).
    mutating func pop() -> (due: Int64, id: Int32)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < items.count && less(items[l], items[m]) { m = l }
            if r < items.count && less(items[r], items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }

    @inline(__always)
    private func less(_ a: (due: Int64, id: Int32), _ b: (due: Int64, id: Int32)) -> Bool {
        a.due != b.due ? a.due < b.due : a.id < b.id
    }
}

/// Per-sensor state: the newest event time seen and whether a `sensor.offline` alert may be active for it (its
/// next event then clears the alert by name).
public struct SensorTable: ~Copyable, Sendable {
    public var names = Interner()
    /// Per sensor id: its newest event time, and whether its offline alert may be active.
    var lastTs = RawColumn<Int64>()
    var alerted = RawColumn<Bool>()

    public init() {}

    /// Records an event of the sensor `id`; returns true when its offline alert was active (to be cleared).
    ///
    /// - Complexity: O(1).
    @inline(__always)
    mutating func touch(_ id: Int32, ts: Int64) -> Bool {
        let i = Int(id)
        if i == lastTs.count {
            lastTs.append(ts)
            alerted.append(false)
            return false
        }
        if ts > lastTs[i] { lastTs[i] = ts }
        if alerted[i] {
            alerted[i] = false
            return true
        }
        return false
    }

    /// Sensors offline at `clock` (last event older than clock − ttl).
    func offlineCount(clock: Int64, ttl: Int64) -> Int {
        var n = 0
        let threshold = clock.saturatingSubtracting(ttl)
        for i in lastTs.indices where lastTs[i] < threshold { n += 1 }
        return n
    }
}
