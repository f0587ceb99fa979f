import Synchronization

/// A bounded, lock-free, single-producer single-consumer ring: the only thing the reader and the processing
/// stage share.
///
/// Layout, for a capacity of 8 holding 3 elements:
///
///     slots:   [ . | . | a | b | c | . | . | . ]
///                      ^head         ^tail
///     head = index of the next element to pop    (written by the consumer only)
///     tail = index of the next free slot to fill (written by the producer only)
///     invariant: 0 <= tail - head <= capacity; slot i holds an element iff head <= i < tail (mod capacity)
///
/// `head` and `tail` only grow (they wrap as `Int`s after 2^63 operations, i.e. never); a slot's index is
/// `i & (capacity - 1)`, so the capacity is a power of two. Each index lives on its own cache line, next to the
/// other side's last value seen (`cachedHead`, `cachedTail`), so the two cores touch each other's line only when
/// the ring looks full or empty. Publishing a slot is a release store of `tail` after the slot write; the
/// consumer's acquire load of `tail` makes the slot visible (and symmetrically for `head`).
public final class SPSCRing<Element>: @unchecked Sendable {
    public let capacity: Int
    private let mask: Int
    private let slots: UnsafeMutablePointer<Element?>

    // Consumer's line.
    private let head = Atomic<Int>(0)
    private var cachedTail = 0
    private let pad0: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
    // Producer's line.
    private let tail = Atomic<Int>(0)
    private var cachedHead = 0
    private let pad1: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)

    /// - Parameter capacity: a power of two, at least 2.
    public init(capacity: Int) {
        precondition(capacity >= 2 && capacity & (capacity - 1) == 0, "ring capacity must be a power of two ≥ 2")
        self.capacity = capacity
        mask = capacity - 1
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// Adds `element` unless the ring is full. Producer only.
    ///
    /// - Complexity: O(1); does not allocate.
    @inline(__always)
    public func tryPush(_ element: Element) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t - cachedHead == capacity {
            cachedHead = head.load(ordering: .acquiring)
            if t - cachedHead == capacity { return false }
        }
        slots[t & mask] = element
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    /// Removes the oldest element, or nil when empty. Consumer only.
    ///
    /// - Complexity: O(1); does not allocate.
    @inline(__always)
    public func tryPop() -> Element? {
        let h = head.load(ordering: .relaxed)
        if h == cachedTail {
            cachedTail = tail.load(ordering: .acquiring)
            if h == cachedTail { return nil }
        }
        let element = slots[h & mask].take()
        head.store(h + 1, ordering: .releasing)
        return element
    }

    /// Elements in the ring now (a snapshot; exact only when both sides are quiet).
    public var count: Int {
        let h = head.load(ordering: .acquiring)
        let t = tail.load(ordering: .acquiring)
        return t - h
    }

    /// Checks the invariant (for tests): `0 <= tail - head <= capacity` and occupied slots are exactly
    /// `head..<tail`.
    public func checkInvariant() -> Bool {
        let h = head.load(ordering: .acquiring)
        let t = tail.load(ordering: .acquiring)
        guard t - h >= 0 && t - h <= capacity else { return false }
        for i in 0..<capacity {
            let index = h + ((i - h) & mask)  // the logical index that maps to slot i at or after head
            let occupied: Bool
            if case .some = slots[i] { occupied = true } else { occupied = false }
            if occupied != (index < t) { return false }
        }
        return true
    }
}
