import IOCCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reusable block of input bytes travelling from the reader to the processing stage.
public final class Chunk: @unchecked Sendable {
    public let storage: UnsafeMutableRawBufferPointer
    public var count = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }
}

/// What the reader tells the processing stage, in order.
public enum ReaderMessage: @unchecked Sendable {
    case begin(String)
    case data(Chunk)
    case end
    case failed(IOFailure)
    case done
}

/// A one-shot flag set from a signal handler and polled by loops.
public final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { value.load(ordering: .acquiring) }
    public func set() { value.store(true, ordering: .releasing) }
}

/// Waits a little longer each time, so an idle side costs no CPU and a busy one reacts within microseconds.
struct Backoff {
    private var spins = 0

    mutating func pause() {
        spins += 1
        if spins < 64 { return }
        if spins < 128 {
            sched_yield()
            return
        }
        usleep(UInt32(min(1000, (spins - 128) * 10 + 10)))
    }

    mutating func reset() { spins = 0 }
}

/// Reads the inputs in order on its own thread with `read(2)` into a fixed pool of chunks, and hands them to the
/// processing stage through a lock-free ring; used chunks come back through a second ring. When the ring is full
/// the reader waits (`--when-full block`), so nothing is lost and memory stays bounded by the pool.
public final class ChunkReader: @unchecked Sendable {
    public let inputs: [String]
    public let ring: SPSCRing<ReaderMessage>
    private let free: SPSCRing<Chunk>
    private let stop: StopFlag
    /// Chunks the reader holds but has not sent (reader thread only; `free` is written by the consumer).
    private var stash: [Chunk] = []

    public init(inputs: [String], stop: StopFlag, chunkSize: Int = 1 << 20, chunks: Int = 8) {
        self.inputs = inputs
        self.stop = stop
        ring = SPSCRing(capacity: 16)
        free = SPSCRing(capacity: 16)
        for _ in 0..<chunks { _ = free.tryPush(Chunk(capacity: chunkSize)) }
    }

    /// Opens an input for reading: `-` is stdin.
    public static func open(_ path: String) throws(IOFailure) -> Int32 {
        if path == "-" { return STDIN_FILENO }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure(path: path, errno: errno) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            throw IOFailure(path: path, reason: "Is a directory")
        }
        return fd
    }

    /// Returns a processed chunk to the pool. Consumer only.
    public func recycle(_ chunk: Chunk) {
        chunk.count = 0
        _ = free.tryPush(chunk)
    }

    /// The reader loop (runs on its own thread).
    public func run() {
        for path in inputs {
            if stop.isSet { break }
            let fd: Int32
            do {
                fd = try ChunkReader.open(path)
            } catch {
                send(.failed(error))
                return
            }
            send(.begin(path))
            let failure = pump(fd, name: path == "-" ? "stdin" : path)
            if fd != STDIN_FILENO { Glibc.close(fd) }
            send(.end)
            if let failure {
                send(.failed(failure))
                return
            }
        }
        send(.done)
    }

    private func send(_ message: ReaderMessage) {
        var backoff = Backoff()
        while !ring.tryPush(message) { backoff.pause() }
    }

    private func pump(_ fd: Int32, name: String) -> IOFailure? {
        var st = stat()
        let isRegular = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        if !isRegular {
            // A bigger pipe buffer means fewer wake-ups for `cat file | ioc run` (F_SETPIPE_SZ; best effort).
            _ = fcntl(fd, 1031, 1 << 20)
        }
        var backoff = Backoff()
        while !stop.isSet {
            guard let chunk = stash.popLast() ?? free.tryPop() else {
                backoff.pause()
                continue
            }
            backoff.reset()
            if !isRegular {
                // Wait for data in short slices so a signal can stop a reader blocked on a quiet pipe.
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                var ready = false
                while !stop.isSet {
                    let r = poll(&pfd, 1, 200)
                    if r > 0 {
                        ready = true
                        break
                    }
                    if r < 0 && errno != EINTR { break }
                }
                if !ready {
                    stash.append(chunk)
                    return nil
                }
            }
            let n = read(fd, chunk.storage.baseAddress, chunk.storage.count)
            if n < 0 {
                let code = errno
                stash.append(chunk)
                if code == EINTR || code == EAGAIN { continue }
                return IOFailure(path: name, errno: code)
            }
            if n == 0 {
                stash.append(chunk)
                return nil
            }
            chunk.count = n
            send(.data(chunk))
        }
        return nil
    }
}
