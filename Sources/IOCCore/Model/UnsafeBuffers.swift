extension UnsafeMutablePointer {
    /// A buffer of twice `capacity` elements holding this buffer's first `count` (moved there); this buffer is
    /// freed. For the hot path's raw, growable buffers (members of a line, events of a batch).
    ///
    /// - Complexity: O(count); allocates the new buffer.
    func doubled(count: Int, capacity: Int) -> UnsafeMutablePointer<Pointee> {
        let bigger = UnsafeMutablePointer<Pointee>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: self, count: count)
        deallocate()
        return bigger
    }
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
