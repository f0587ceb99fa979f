/// A hash map from interned ids (small non-negative `Int32`s) to values, for per-window breakdowns.
///
/// Swift's `Dictionary` hashes every key with SipHash, which cost more than the rest of applying an event; ids are
/// already well spread, so a multiplicative hash and linear probing over a power-of-two table is enough.
public struct IntMap<Value>: Sequence {
    private var keys: [Int32]
    private var values: [Value?]
    public private(set) var count = 0
    private var mask: Int

    public init() {
        keys = [Int32](repeating: -1, count: 8)
        values = [Value?](repeating: nil, count: 8)
        mask = 7
    }

    @inline(__always)
    private func slot(_ key: Int32) -> Int {
        Int(truncatingIfNeeded: (UInt32(bitPattern: key) &* 0x9E37_79B1) >> 7) & mask
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func find(_ key: Int32) -> Int {
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key || k < 0 { return i }
            i = (i + 1) & mask
        }
    }

    /// The value of `key`, or nil.
    ///
    /// - Complexity: O(1) expected; does not allocate.
    public subscript(key: Int32) -> Value? {
        get {
            let i = find(key)
            return keys[i] < 0 ? nil : values[i]
        }
        set {
            if let newValue {
                self[key, default: newValue] = newValue
            } else {
                preconditionFailure("IntMap does not remove keys")
            }
        }
    }

    /// The value of `key`, inserting `defaultValue` first when absent; mutations happen in place.
    ///
    /// - Complexity: O(1) expected; allocates only when the table grows.
    public subscript(key: Int32, default defaultValue: @autoclosure () -> Value) -> Value {
        get {
            let i = find(key)
            return keys[i] < 0 ? defaultValue() : values[i]!
        }
        _modify {
            let i = slot(inserting: key, defaultValue).slot
            yield &values[i]!
        }
    }

    /// Runs `body` on the value of `key`, inserting `make()` first when absent: the subscript's `_modify` without
    /// a coroutine, so the hot path neither calls one nor retains the object the map lives in around it.
    ///
    /// - Complexity: O(1) expected; allocates only when the table grows.
    @inline(__always)
    public mutating func update(_ key: Int32, default make: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
        let i = slot(inserting: key, make).slot
        body(&values[i]!)
    }

    /// The slot of `key`, inserting `make()` first when absent (growing the table as needed), and whether it did.
    @inline(__always)
    private mutating func slot(inserting key: Int32, _ make: () -> Value) -> (slot: Int, inserted: Bool) {
        var i = find(key)
        guard keys[i] < 0 else { return (i, false) }
        if (count + 1) * 4 > keys.count * 3 {
            grow()
            i = find(key)
        }
        keys[i] = key
        values[i] = make()
        count += 1
        return (i, true)
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let size = keys.count * 2
        keys = [Int32](repeating: -1, count: size)
        values = [Value?](repeating: nil, count: size)
        mask = size - 1
        for (i, k) in oldKeys.enumerated() where k >= 0 {
            let j = find(k)
            keys[j] = k
            values[j] = oldValues[i]
        }
    }

    /// Combines every entry of `other` into this map.
    ///
    /// - Complexity: O(other.count) expected, one probe per entry; allocates only when the table grows.
    public mutating func merge(_ other: IntMap<Value>, combine: (inout Value, Value) -> Void) {
        for (k, v) in other {
            let (i, inserted) = slot(inserting: k) { v }
            if !inserted { combine(&values[i]!, v) }
        }
    }

    public struct Iterator: IteratorProtocol {
        fileprivate let map: IntMap<Value>
        fileprivate var i = 0

        public mutating func next() -> (key: Int32, value: Value)? {
            while i < map.keys.count {
                defer { i += 1 }
                if map.keys[i] >= 0 { return (map.keys[i], map.values[i]!) }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(map: self) }
}
extension IntMap: Sendable where Value: Sendable {}

extension IntMap where Value == Int {
    /// Adds `n` to the count of `key` (0 when absent).
    ///
    /// - Complexity: O(1) expected; allocates only when the table grows.
    @inline(__always)
    public mutating func add(_ key: Int32, _ n: Int = 1) { update(key, default: 0) { $0 += n } }
}
