/// Sum and count of speeds of one segment in a window.
public struct SpeedSum: Sendable {
    public var sum = CompensatedSum()
    public var count = 0
    public var mean: Double { sum.value / Double(count) }

    mutating func add(_ speed: Double) {
        sum.add(speed)
        count += 1
    }

    mutating func merge(_ o: SpeedSum) {
        sum.add(o.sum)
        count += o.count
    }
}

/// Service counts of one agency in a window.
public struct AgencyCounts: Sendable {
    public var received = 0
    public var resolved = 0
    public var onTime = 0
    public var withDue = 0

    mutating func merge(_ o: AgencyCounts) {
        received += o.received
        resolved += o.resolved
        onTime += o.onTime
        withDue += o.withDue
    }
}

/// One metric's values in a window.
public struct MetricWindow: Sendable {
    public var values = QuantileSketch()
    public var last = 0.0

    mutating func add(_ v: Double) {
        values.add(v)
        last = v
    }
}

/// Everything counted "in window" (SPEC §5): events whose `ts` falls in the window and that were not late.
///
/// Keys are interned ids (districts, segments, types, routes, agencies, metric names). Windows merge by adding,
/// which is how the rolling 15m / 60m sections are made: sums add, means and shares are recomputed from sums,
/// quantile sketches merge.
public struct WindowData: Sendable {
    public var start: Int64

    // field_reports
    public var reportsReceived = 0
    public var reportsResolved = 0
    public var reportsRejected = 0
    public var resolveMinutes = QuantileSketch()
    /// Received per category index (the fallback at the end).
    public var reportsByCategory: [Int]
    public var reportsByDistrict = IntMap<Int>()

    // traffic
    public var readings = 0
    /// Wider than one event's count (at most 2^53): 1,024 such events would overflow an `Int64`.
    public var vehicles: Int128 = 0
    public var speedSum = CompensatedSum()
    /// Readings per level: free, moderate, heavy, jam.
    public var levels = FourCounts()
    public var segments = IntMap<SpeedSum>()

    // security
    public var securityEvents = 0
    /// Events per priority, P1 first.
    public var securityByPriority = FourCounts()
    public var securityByType = IntMap<Int>()
    public var securityByRoute = IntMap<Int>()
    public var securityByDistrict = IntMap<Int>()
    /// P1 and P2 events per district, for `security.hotspot`.
    public var urgentByDistrict = IntMap<Int>()

    // services
    public var servicesReceived = 0
    public var servicesReceivedOnline = 0
    public var servicesResolved = 0
    public var servicesOnTime = 0
    public var servicesWithDue = 0
    public var servicesByAgency = IntMap<AgencyCounts>()

    // metrics
    public var metrics = IntMap<MetricWindow>()

    public init(start: Int64, categories: Int) {
        self.start = start
        reportsByCategory = [Int](repeating: 0, count: categories)
    }

    /// Sorts the window's quantile samples once (`QuantileSketch.sortValues`): its close reads each quantile
    /// several times, for thresholds and for the snapshot.
    mutating func sortSamples() {
        resolveMinutes.sortValues()
        for (id, _) in metrics { metrics.update(id, default: MetricWindow()) { $0.values.sortValues() } }
    }

    /// This window as the rolling sections merge it: its quantile samples bucketed when they hold more values
    /// than a merge keeps as they are (`QuantileSketch.mergedExactLimit`), once, rather than at each merge of each
    /// section. The window's own section keeps its exact samples.
    /// - Complexity: O(values kept as they are); copies the window's data.
    func bucketedForMerging() -> WindowData {
        var copy = self
        copy.resolveMinutes.bucketizeForMerging()
        for (id, _) in metrics { copy.metrics.update(id, default: MetricWindow()) { $0.values.bucketizeForMerging() } }
        return copy
    }

    /// Adds `other` (an older window) into this one; `metrics.last` keeps the newer window's value.
    public mutating func merge(older other: WindowData) {
        reportsReceived += other.reportsReceived
        reportsResolved += other.reportsResolved
        reportsRejected += other.reportsRejected
        resolveMinutes.merge(other.resolveMinutes)
        // After a rules reload windows differ in length; widened, so that a shorter window merged in between
        // (the rolling queue merges windows with each other) cuts nothing off an older, longer one.
        if reportsByCategory.count < other.reportsByCategory.count {
            reportsByCategory += repeatElement(0, count: other.reportsByCategory.count - reportsByCategory.count)
        }
        for i in other.reportsByCategory.indices { reportsByCategory[i] += other.reportsByCategory[i] }
        reportsByDistrict.merge(other.reportsByDistrict) { $0 += $1 }

        readings += other.readings
        vehicles += other.vehicles
        speedSum.add(other.speedSum)
        for i in 0..<4 { levels[i] += other.levels[i] }
        segments.merge(other.segments) { $0.merge($1) }

        securityEvents += other.securityEvents
        for i in 0..<4 { securityByPriority[i] += other.securityByPriority[i] }
        securityByType.merge(other.securityByType) { $0 += $1 }
        securityByRoute.merge(other.securityByRoute) { $0 += $1 }
        securityByDistrict.merge(other.securityByDistrict) { $0 += $1 }
        urgentByDistrict.merge(other.urgentByDistrict) { $0 += $1 }

        servicesReceived += other.servicesReceived
        servicesReceivedOnline += other.servicesReceivedOnline
        servicesResolved += other.servicesResolved
        servicesOnTime += other.servicesOnTime
        servicesWithDue += other.servicesWithDue
        servicesByAgency.merge(other.servicesByAgency) { $0.merge($1) }

        // The newer window's `last` wins: merging keeps `self`'s.
        metrics.merge(other.metrics) { $0.values.merge($1.values) }
    }
}

/// A sum of doubles with Neumaier's compensation, so means near a level threshold (25.0 km/h) come out as the
/// exact mean would, whatever the order of the terms (an independent implementation that sums exactly agrees).
public struct CompensatedSum: Sendable {
    public private(set) var sum = 0.0
    private var compensation = 0.0

    public init() {}

    /// - Complexity: O(1).
    @inline(__always)
    public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    public mutating func add(_ other: CompensatedSum) {
        add(other.sum)
        add(other.compensation)
    }

    /// The compensated total.
    public var value: Double { sum + compensation }
}

/// Four counts kept in the value itself: an `Array` of four costs an allocation per window and a uniqueness check
/// per update.
public struct FourCounts: Sendable {
    private var counts: (Int, Int, Int, Int) = (0, 0, 0, 0)

    public init() {}

    /// The count at `i` (0...3).
    public subscript(i: Int) -> Int {
        @inline(__always) get {
            precondition(i >= 0 && i < 4, "FourCounts index out of range")
            return withUnsafeBytes(of: counts) { $0.load(fromByteOffset: i &* 8, as: Int.self) }
        }
        @inline(__always) set {
            precondition(i >= 0 && i < 4, "FourCounts index out of range")
            withUnsafeMutableBytes(of: &counts) { $0.storeBytes(of: newValue, toByteOffset: i &* 8, as: Int.self) }
        }
    }
}

/// Counts per small non-negative integer key in a flat buffer of its own (keys made of interned ids). Not
/// copyable: it owns the buffer, and an update is a plain store, with none of an `Array`'s uniqueness checks.
public struct DenseCounts: ~Copyable, @unchecked Sendable {
    private var counts: UnsafeMutablePointer<Int>
    private var capacity = 64

    public init() {
        counts = .allocate(capacity: capacity)
        counts.initialize(repeating: 0, count: capacity)
    }

    deinit { counts.deallocate() }

    /// - Complexity: O(1) amortised; allocates only when `key` is past the buffer.
    @inline(__always)
    public mutating func add(_ key: Int, _ n: Int = 1) {
        precondition(key >= 0, "DenseCounts keys are non-negative")
        if key >= capacity { grow(to: key + 1) }
        counts[key] += n
    }

    private mutating func grow(to minimum: Int) {
        var size = capacity * 2
        while size < minimum { size *= 2 }
        let bigger = UnsafeMutablePointer<Int>.allocate(capacity: size)
        bigger.moveInitialize(from: counts, count: capacity)
        (bigger + capacity).initialize(repeating: 0, count: size - capacity)
        counts.deallocate()
        counts = bigger
        capacity = size
    }

    /// Keys with a non-zero count, in key order.
    public var nonZero: [(key: Int, count: Int)] {
        (0..<capacity).compactMap { counts[$0] > 0 ? ($0, counts[$0]) : nil }
    }
}
