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
