extension UnsafeMutablePointer {
    /// A buffer of twice `capacity` elements holding this buffer's first `count` (moved there); this buffer is
    /// freed. For the hot path's raw, growable buffers (members of a line, events of a batch).
    ///
    /// - Complexity: O(count); allocates the new buffer.
    func doubled(count: Int, capacity: Int) -> UnsafeMutablePointer<Pointee> {
        moved(count: count, toCapacity: capacity * 2)
    }

    /// A buffer of `capacity` elements holding this buffer's first `count` (moved there); this buffer is freed.
    ///
    /// - Complexity: O(count); allocates the new buffer.
    func moved(count: Int, toCapacity capacity: Int) -> UnsafeMutablePointer<Pointee> {
        let bigger = UnsafeMutablePointer<Pointee>.allocate(capacity: capacity)
        bigger.moveInitialize(from: self, count: count)
        deallocate()
        return bigger
    }
}

/// Byte equality of two ranges of `n` bytes, eight at a time and the rest as one word that overlaps the last one
/// compared (under eight bytes, two overlapping words of four or two): keys and literals are short, and a call to
/// `memcmp` costs more than comparing them.
@inline(__always)
func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    @inline(__always) func same<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> Bool {
        a.loadUnaligned(fromByteOffset: offset, as: T.self) == b.loadUnaligned(fromByteOffset: offset, as: T.self)
    }
    if n < 8 {
        if n >= 4 { return same(0, UInt32.self) && same(n &- 4, UInt32.self) }
        if n >= 2 { return same(0, UInt16.self) && same(n &- 2, UInt16.self) }
        return n == 0 || same(0, UInt8.self)
    }
    var i = 0
    while i &+ 8 < n {
        if !same(i, UInt64.self) { return false }
        i &+= 8
    }
    return same(n &- 8, UInt64.self)
}

/// LLVM's prefetch intrinsic (`prefetcht0` on x86-64): Swift has no spelling of its own for it.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cache: Int32)

/// Asks the CPU to bring the cache line at `address` close, for a read soon. A hint: it never faults, whatever
/// the address, and changes no result.
@inline(__always)
func prefetch(_ address: UnsafeRawPointer) { llvmPrefetch(address, 0, 3, 1) }

/// `prefetch(_:)` of the address `offset` bytes from `base`, computed as an integer: it may lie past the end of
/// `base`'s allocation (pointer arithmetic there would be undefined; a prefetch reads nothing).
@inline(__always)
func prefetch(_ base: UnsafeRawPointer, byteOffset offset: Int) {
    if let address = UnsafeRawPointer(bitPattern: Int(bitPattern: base) &+ offset) { llvmPrefetch(address, 0, 3, 1) }
}

/// A growable column of plain values in raw storage, for per-key state the aggregator updates on every event
/// (sensors' last event times, segments' jam streaks, reports' and dossiers' lifecycles): an `Array` there checks
/// that its buffer is unique before every write, a call into the runtime each time. Not copyable, so it needs no
/// such check; owned by one thread.
struct RawColumn<Element: BitwiseCopyable>: ~Copyable, @unchecked Sendable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    /// Number of elements.
    private(set) var count = 0

    init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Appends `value`.
    /// - Complexity: O(1) amortised; allocates when the column doubles.
    @inline(__always)
    mutating func append(_ value: Element) {
        if count == capacity {
            base = base.doubled(count: count, capacity: capacity)
            capacity *= 2
        }
        (base + count).initialize(to: value)
        count += 1
    }

    /// Room for `n` elements without growing (address space until they are written).
    /// - Complexity: O(count); allocates when `n` is past the capacity.
    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        base = base.moved(count: count, toCapacity: n)
        capacity = n
    }

    /// The element at `i` (`0 ..< count`, checked).
    @inline(__always)
    subscript(i: Int) -> Element {
        unsafeAddress {
            precondition(i >= 0 && i < count, "RawColumn index out of range")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress {
            precondition(i >= 0 && i < count, "RawColumn index out of range")
            return base + i
        }
    }

    var indices: Range<Int> { 0..<count }
}
