import IOCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The live inputs of `ioc run`, read after the plain files: listening sockets (`--listen`) and followed files
/// (`--follow`), plus stdin when `-` is among the inputs of a live run.
public struct LiveInputs: @unchecked Sendable {
    /// Bound, listening, non-blocking sockets.
    public var listeners: [(address: SocketAddress, fd: Int32)] = []
    /// Files tailed as `tail -F` does.
    public var follow: [String] = []
    /// Read stdin as one more stream (it ends at end of file; the run goes on).
    public var stdin = false
    /// `--from-start`: read followed files from their beginning instead of their end.
    public var fromStart = false
    /// Where notes for the operator go (stderr): connections refused, files rotated or truncated.
    public var log: @Sendable (String) -> Void = { _ in }

    public init() {}
}

/// One live byte stream: a connection, stdin, or a followed file. Keeps the partial line that a read left
/// (`carry`), so batches always hold whole lines and each source's lines stay in order.
final class LiveStream {
    enum Kind {
        case connection
        case stdin
        case followed(path: String)
    }

    let kind: Kind
    var fd: Int32
    let name: String
    var index: Int32
    /// The next batch of this source is its first (it carries the name).
    var announced = false
    var carry: [UInt8] = []
    /// Skipping the rest of an over-long line.
    var discarding = false
    /// The first bytes of an over-long line, reported before the next batch's lines.
    var tooLongPrefix: [UInt8]?
    /// The first bytes of the over-long line being skipped (while `discarding` one): `tooLongPrefix` when it ends.
    var overlong = OverlongPrefix()
    /// What is being skipped is an over-long line (a record is due), not the rest of a line a followed file was
    /// half-way through when following began.
    var discardingOverlong = false
    var atStart = true
    // A followed file: which file the descriptor reads, and how far.
    var device: UInt64 = 0
    var inode: UInt64 = 0
    var offset = 0
    /// A followed file: the last bytes read before `offset` (at most `LiveStream.fingerprintLength`). Bytes
    /// there that differ from these mean the file was rewritten in place (truncated and written again, perhaps
    /// longer than before) between two looks at it.
    var fingerprint: [UInt8] = []
    /// A followed path is a regular file (not a named pipe or a device): only then is it checked for rewrites and
    /// truncation.
    var isRegularFile = true
    /// A followed file that is missing or unreadable: retried every round.
    var waitingToOpen = false

    static let fingerprintLength = 32

    /// Keeps the last bytes of `bytes`, just read, as the fingerprint of what lies before `offset`.
    func remember(_ bytes: UnsafeRawBufferPointer) {
        let keep = LiveStream.fingerprintLength
        if bytes.count >= keep {
            fingerprint.removeAll(keepingCapacity: true)
            fingerprint.append(contentsOf: bytes[(bytes.count - keep)...])
        } else {
            fingerprint.append(contentsOf: bytes)
            if fingerprint.count > keep { fingerprint.removeFirst(fingerprint.count - keep) }
        }
    }

    /// Whether the followed file still holds the fingerprint's bytes just before `offset` (true when there is
    /// nothing to compare yet). One `pread(2)` of at most 32 bytes.
    func stillHoldsWhatWasRead() -> Bool {
        guard isRegularFile, !fingerprint.isEmpty, offset >= fingerprint.count else { return true }
        let count = fingerprint.count
        return withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { now in
            let n = pread(fd, now.baseAddress!, count, off_t(offset - count))
            return n == count && now.elementsEqual(fingerprint)
        }
    }

    init(kind: Kind, fd: Int32, name: String, index: Int32) {
        self.kind = kind
        self.fd = fd
        self.name = name
        self.index = index
    }

    var isConnection: Bool {
        if case .connection = kind { return true }
        return false
    }
}

extension BatchReader {
    /// Bytes read from one source before the next gets its turn: a sender that floods gets no more of the
    /// reader than a quiet one.
    static let liveChunk = 1 << 16

    /// Most connections at once; further ones are accepted and closed with a note.
    static let maxConnections = 4096

    /// The live loop: `poll(2)` over listeners, connections and stdin, and a look at followed files every round
    /// (100 ms when nothing happens). Runs until the stop flag is set; then every stream ends: a connection's
    /// partial line is `truncated`, a Unix socket file is removed.
    func runLive(_ live: LiveInputs) {
        var streams: [LiveStream] = []
        var connectionNumber = 0
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: BatchReader.liveChunk, alignment: 16)
        defer { scratch.deallocate() }

        for path in live.follow {
            let stream = LiveStream(kind: .followed(path: path), fd: -1, name: path, index: newSourceIndex())
            openFollowed(stream, atEnd: !live.fromStart, log: live.log)
            streams.append(stream)
        }
        // poll(2) says when stdin has bytes, so a read does not block; its flags (shared with other processes)
        // are left as they are.
        if live.stdin {
            streams.append(LiveStream(kind: .stdin, fd: STDIN_FILENO, name: "stdin", index: newSourceIndex()))
        }
        // Listeners are not polled until then (monotonic ns): out of descriptors, a pending connection would wake
        // every poll at once.
        var acceptPausedUntil: Int64 = 0

        var pollSet: [pollfd] = []
        var busy = false
        while !stop.isSet {
            pollSet.removeAll(keepingCapacity: true)
            let accepting = monotonicNanoseconds() >= acceptPausedUntil
            for l in live.listeners {
                pollSet.append(pollfd(fd: l.fd, events: accepting ? Int16(POLLIN) : 0, revents: 0))
            }
            var polled: [LiveStream] = []
            for s in streams where !isFollowed(s) {
                pollSet.append(pollfd(fd: s.fd, events: Int16(POLLIN), revents: 0))
                polled.append(s)
            }
            let ready = poll(&pollSet, nfds_t(pollSet.count), busy ? 0 : 100)
            if ready < 0 && errno != EINTR { break }
            busy = false

            for (i, l) in live.listeners.enumerated() where pollSet[i].revents & Int16(POLLIN) != 0 {
                if !acceptAll(l, into: &streams, number: &connectionNumber, log: live.log) {
                    acceptPausedUntil = monotonicNanoseconds() + 100_000_000
                }
            }
            var ended: Set<ObjectIdentifier> = []
            for (j, s) in polled.enumerated() where pollSet[live.listeners.count + j].revents != 0 {
                switch readOnce(s, scratch) {
                case .data(let full): busy = busy || full
                case .wouldBlock: break
                case .end:
                    finishStream(s)
                    ended.insert(ObjectIdentifier(s))
                }
            }
            for s in streams where isFollowed(s) {
                if followOnce(s, scratch, log: live.log) { busy = true }
            }
            if !ended.isEmpty { streams.removeAll { ended.contains(ObjectIdentifier($0)) } }
        }

        for s in streams { finishStream(s) }
        for l in live.listeners {
            close(l.fd)
            if case .unix(let path) = l.address { unlink(path) }
        }
    }

    private func isFollowed(_ s: LiveStream) -> Bool {
        if case .followed = s.kind { return true }
        return false
    }

    /// Accepts every pending connection; false when out of descriptors (the caller pauses accepting).
    private func acceptAll(
        _ listener: (address: SocketAddress, fd: Int32), into streams: inout [LiveStream], number: inout Int,
        log: (String) -> Void
    ) -> Bool {
        while true {
            let fd = SocketAddress.accept(listener.fd)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE {
                    log("ioc: \(listener.address): \(String(cString: strerror(errno))); not accepting for 100 ms")
                    return false
                }
                return true
            }
            if streams.count >= BatchReader.maxConnections {
                log("ioc: \(listener.address): over \(BatchReader.maxConnections) connections; one refused")
                close(fd)
                continue
            }
            number += 1
            let name = "\(listener.address)#\(number)"
            streams.append(LiveStream(kind: .connection, fd: fd, name: name, index: newSourceIndex()))
        }
    }

    enum ReadResult {
        /// Bytes arrived; `full` when the read filled the chunk (more is probably waiting).
        case data(full: Bool)
        case wouldBlock
        /// End of stream, or a read error (a reset connection): the stream is finished either way.
        case end
    }

    /// One read of at most `liveChunk` bytes from `s`, cut into whole lines and sent on.
    private func readOnce(_ s: LiveStream, _ scratch: UnsafeMutableRawBufferPointer) -> ReadResult {
        let n = read(s.fd, scratch.baseAddress!, scratch.count)
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wouldBlock }
            return .end
        }
        if n == 0 { return .end }
        take(s, UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        return .data(full: n == scratch.count)
    }

    /// A followed file: reads what was appended (one chunk a round), then notices rotation (a new file at the
    /// path: the old one is read to its end first) and truncation (the file got shorter: read again from 0).
    /// Returns true when it read a full chunk.
    private func followOnce(
        _ s: LiveStream, _ scratch: UnsafeMutableRawBufferPointer, log: (String) -> Void
    )
        -> Bool
    {
        guard case .followed(let path) = s.kind else { return false }
        if s.fd < 0 {
            openFollowed(s, atEnd: false, log: log)
            if s.fd < 0 { return false }
        }
        // Rewritten in place since the last look (truncated, then written again, perhaps to more than was read):
        // reading on from `offset` would start in the middle of some new line.
        if !s.stillHoldsWhatWasRead() {
            rereadFromStart(s, path: path, log: log)
            return true
        }
        let n = read(s.fd, scratch.baseAddress!, scratch.count)
        if n > 0 {
            s.offset += n
            let bytes = UnsafeRawBufferPointer(rebasing: scratch[0..<n])
            if s.isRegularFile { s.remember(bytes) }
            take(s, bytes)
            return n == scratch.count
        }
        // At the end of what the descriptor holds: has the path moved on?
        var st = stat()
        var now = stat()
        guard fstat(s.fd, &now) == 0 else { return false }
        if stat(path, &st) == 0 && (UInt64(st.st_dev) != s.device || UInt64(st.st_ino) != s.inode) {
            // Rotated: drain the old file (a writer may have added to it since), then read the new one whole.
            while true {
                let m = read(s.fd, scratch.baseAddress!, scratch.count)
                if m <= 0 { break }
                take(s, UnsafeRawBufferPointer(rebasing: scratch[0..<m]))
            }
            log("ioc: \(path): rotated; reading the new file from its start")
            restart(s)
            close(s.fd)
            s.fd = -1
            openFollowed(s, atEnd: false, log: log)
            return true
        }
        if s.isRegularFile && Int(now.st_size) < s.offset {
            rereadFromStart(s, path: path, log: log)
            return true
        }
        return false
    }

    /// A followed file that got shorter, or whose bytes before the point reached changed: read again from 0.
    private func rereadFromStart(_ s: LiveStream, path: String, log: (String) -> Void) {
        log("ioc: \(path): truncated; reading it again from its start")
        restart(s)
        lseek(s.fd, 0, SEEK_SET)
        s.offset = 0
        s.fingerprint.removeAll(keepingCapacity: true)
    }

    /// Ends the current run of lines of a followed file (rotated or truncated) and starts a new one under the same
    /// name, so line numbers in dead letters count from the new file's first line.
    private func restart(_ s: LiveStream) {
        finishStream(s)
        s.index = newSourceIndex()
        s.announced = false
        s.atStart = true
    }

    /// Opens a followed file (at its end unless reading from the start); a missing file is retried every round.
    private func openFollowed(_ s: LiveStream, atEnd: Bool, log: (String) -> Void) {
        guard case .followed(let path) = s.kind else { return }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0 else {
            if !s.waitingToOpen {
                log("ioc: \(path): \(String(cString: strerror(errno))); waiting for it to appear")
                s.waitingToOpen = true
            }
            if fd >= 0 { close(fd) }
            return
        }
        if s.waitingToOpen { log("ioc: \(path): appeared; following it") }
        s.waitingToOpen = false
        s.fd = fd
        s.device = UInt64(st.st_dev)
        s.inode = UInt64(st.st_ino)
        s.offset = 0
        s.fingerprint.removeAll(keepingCapacity: true)
        // A named pipe or a device is a stream: nothing to seek, rewind or fingerprint.
        s.isRegularFile = (st.st_mode & S_IFMT) == S_IFREG
        if atEnd && s.isRegularFile {
            s.offset = Int(lseek(fd, 0, SEEK_END))
            s.atStart = false
            var tail = [UInt8](repeating: 0, count: min(max(s.offset, 0), LiveStream.fingerprintLength))
            let got = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(s.offset - $0.count)) }
            if got == tail.count { tail.withUnsafeBytes { s.remember($0) } }
            // Starting in the middle of a line (a writer half-way through it): skip to the next line.
            var last: UInt8 = 0x0A
            if s.offset > 0 && pread(fd, &last, 1, off_t(s.offset - 1)) == 1 && last != 0x0A { s.discarding = true }
        }
    }

    /// Adds `bytes` read from `s`: whole lines go out in one batch, the partial last line waits in `carry`.
    /// Over-long lines are cut to their first bytes and the rest skipped, as for files.
    ///
    /// - Complexity: O(bytes); allocates only when a batch must hold more than the pool's batch size.
    private func take(_ s: LiveStream, _ input: UnsafeRawBufferPointer) {
        var data = input
        if s.atStart {
            // A BOM may arrive split over reads: as `LineFramer` does, the bytes that match it wait in `carry`
            // (empty at the start) until all three are in, and the first byte that differs ends the check without
            // being taken, so `carry` keeps only what matched (never a `\n`) as the start of the first line.
            while s.atStart && data.count > 0 {
                guard data[0] == ByteOrderMark.byte(s.carry.count) else {
                    s.atStart = false
                    break
                }
                s.carry.append(data[0])
                data = UnsafeRawBufferPointer(rebasing: data[1...])
                if s.carry.count == 3 {
                    s.carry.removeAll(keepingCapacity: true)
                    s.atStart = false
                }
            }
            if s.atStart { return }
        }
        if s.discarding {
            guard let nl = memchr(data.baseAddress!, 0x0A, data.count) else {
                if s.discardingOverlong { s.overlong.add(data) }
                return
            }
            let after = UnsafeRawPointer(nl) - data.baseAddress! + 1
            if s.discardingOverlong {
                s.overlong.add(UnsafeRawBufferPointer(rebasing: data[..<(after - 1)]))
                endOverlong(s)
            }
            data = UnsafeRawBufferPointer(rebasing: data[after...])
            s.discarding = false
        }
        guard data.count > 0 else { return }
        guard let cut = BatchReader.afterLastNewline(data) else {
            s.carry.append(contentsOf: data)
            if s.carry.count > maxLine + 1 { startSkipping(s) }
            return
        }
        let head = UnsafeRawBufferPointer(rebasing: data[0..<cut])
        if whenFull == .drop && s.tooLongPrefix == nil && !hasFreeBatch {
            // Every batch is in the pipeline: under `--when-full drop` these lines are dropped (counted) rather
            // than waited for, so the poll loop keeps serving every other source.
            dropLines(s, head)
        } else {
            let batch = batchFor(s, bytes: s.carry.count + cut)
            s.carry.withUnsafeBytes { append(batch, $0) }
            append(batch, head)
            batch.stampRead()
            send(batch, droppable: true)
        }
        s.carry.removeAll(keepingCapacity: true)
        s.carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[cut...]))
        if s.carry.count > maxLine + 1 { startSkipping(s) }
    }

    /// Counts the carried partial line and `head` as dropped lines of `s`.
    private func dropLines(_ s: LiveStream, _ head: UnsafeRawBufferPointer) {
        var counted = BatchReader.countLines(head)
        // The carried bytes begin head's first line: a blank start there is not a blank line if they are not.
        if !s.carry.isEmpty && !s.carry.withUnsafeBytes({ BatchReader.isBlank($0) }) {
            let firstEnd = memchr(head.baseAddress!, 0x0A, head.count).map { UnsafeRawPointer($0) - head.baseAddress! }
            if BatchReader.isBlank(UnsafeRawBufferPointer(rebasing: head[0..<(firstEnd ?? head.count)])) {
                counted.lines += 1
            }
        }
        countDropped(source: s.index, physical: counted.physical, lines: counted.lines)
    }

    /// The partial line in `carry` is already longer than `--max-line`: keep its first bytes for the record.
    private func startSkipping(_ s: LiveStream) {
        if s.tooLongPrefix != nil {
            // An earlier over-long line is still to be reported: send its record on its own first.
            let batch = batchFor(s, bytes: 0)
            batch.stampRead()
            send(batch, droppable: false)
        }
        s.overlong.start(s.carry)
        s.carry.removeAll(keepingCapacity: true)
        s.discarding = true
        s.discardingOverlong = true
    }

    /// The over-long line `s` was skipping has ended: its record goes with the stream's next batch, unless it was
    /// blank, which is no line and only counts for line numbers.
    private func endOverlong(_ s: LiveStream) {
        if let record = endedOverlongRecord(s.overlong, source: s.index) { s.tooLongPrefix = record }
        s.discardingOverlong = false
    }

    /// A batch for `bytes` more bytes of `s`, with the source's name on its first batch and a pending over-long
    /// line's prefix.
    private func batchFor(_ s: LiveStream, bytes: Int) -> Batch {
        var batch = takeBatch()
        if bytes > batch.capacity {
            recycle(batch)
            batch = Batch(capacity: bytes, oversized: true)
        }
        batch.source = s.index
        if !s.announced {
            s.announced = true
            batch.beginsSource = s.name
        }
        if let prefix = s.tooLongPrefix {
            batch.tooLongBefore = prefix
            s.tooLongPrefix = nil
        }
        return batch
    }

    private func append(_ batch: Batch, _ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        memcpy(batch.storage.baseAddress! + batch.count, bytes.baseAddress!, bytes.count)
        batch.count += bytes.count
    }

    /// The stream's last batch: its partial line (a connection's is `truncated`; stdin's and a file's last line
    /// counts as a line) and its end. Closes a connection; frees its source index.
    private func finishStream(_ s: LiveStream) {
        if s.discarding && s.discardingOverlong {
            // The over-long line ends with the stream: its record goes out now. (A second over-long line
            // cannot start before the first one's record left: `startSkipping` sends it first.)
            endOverlong(s)
        }
        if s.announced || !s.carry.isEmpty || s.tooLongPrefix != nil {
            let batch = batchFor(s, bytes: s.carry.count)
            if !s.discarding { s.carry.withUnsafeBytes { append(batch, $0) } }
            batch.truncatedTail = s.isConnection && batch.count > 0
            s.carry.removeAll(keepingCapacity: true)
            batch.endsSource = true
            batch.stampRead()
            send(batch, droppable: false)
        } else {
            // No batch of this source ever went on: lines it skipped must not count for a source reusing its index.
            droppedLinesBefore.removeValue(forKey: s.index)
        }
        s.discarding = false
        releaseSourceIndex(s.index)
        if s.isConnection { close(s.fd) }
    }
}
