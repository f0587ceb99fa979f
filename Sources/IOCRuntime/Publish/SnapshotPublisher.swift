import Dispatch
import Foundation
import IOCCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--publish tcp://…|unix://…`: every subscriber gets each snapshot as one NDJSON line, and the latest one as
/// soon as it connects (SPEC §9).
///
/// The aggregator only copies the line into a queue and wakes this publisher's own thread, which writes to
/// non-blocking sockets; so a slow subscriber never slows ingestion. A subscriber that falls more than
/// `maxBehind` bytes behind is disconnected and counted (`subscribers_dropped`).
///
///     aggregator ──publish(line)──▶ [queue] ──wake pipe──▶ publisher thread ──write(2)──▶ subscriber 1 … n
public final class SnapshotPublisher: @unchecked Sendable {
    /// Bytes a subscriber may have waiting before it is disconnected.
    public static let maxBehind = 1 << 20

    private let listeners: [(address: SocketAddress, fd: Int32)]
    private let queue = Mutex<(lines: [[UInt8]], finishing: Bool, stopped: Bool)>(([], false, false))
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private let log: @Sendable (String) -> Void
    private let done = DispatchSemaphore(value: 0)
    private let connectedCount = Atomic<Int>(0)
    private let droppedCount = Atomic<Int>(0)

    /// Subscribers connected now.
    public var connected: Int { connectedCount.load(ordering: .relaxed) }
    /// Subscribers disconnected for falling behind, since start.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Takes over bound, listening sockets.
    public init(listeners: [(address: SocketAddress, fd: Int32)], log: @escaping @Sendable (String) -> Void) {
        self.listeners = listeners
        self.log = log
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        for fd in fds {
            SocketAddress.setNonBlocking(fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
    }

    /// Starts the publisher's thread.
    public func start() {
        let t = Thread { [self] in run() }
        t.stackSize = 1 << 20
        t.start()
    }

    /// Queues one snapshot line (no newline) for every subscriber. Called on the aggregator's thread.
    ///
    /// - Complexity: O(line length): one copy, one `write(2)` of a byte to wake the publisher.
    public func publish(_ json: UnsafeRawBufferPointer) {
        var line = [UInt8](json)
        line.append(0x0A)
        let queued = queue.withLock { state -> Bool in
            // A publisher thread that has ended takes nothing more (the queue would only grow).
            guard !state.stopped else { return false }
            state.lines.append(line)
            return true
        }
        if queued { wake() }
    }

    /// How long subscribers get, at the end, to take what is queued for them.
    static let finishGrace: Int64 = 2_000_000_000

    /// Sends what is queued (giving subscribers up to `finishGrace` to take it), closes every connection and
    /// listener, and removes Unix socket files.
    public func finish() {
        queue.withLock { $0.finishing = true }
        wake()
        _ = done.wait(timeout: .now() + .nanoseconds(Int(SnapshotPublisher.finishGrace + 500_000_000)))
    }

    private func wake() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    private final class Subscriber {
        let fd: Int32
        let name: String
        var pending: [UInt8] = []
        var sent = 0
        /// The subscriber closed its sending side (a half-close): it still gets snapshots, but is not read.
        var readClosed = false
        init(fd: Int32, name: String) {
            self.fd = fd
            self.name = name
        }
        var behind: Int { pending.count - sent }
    }

    private func run() {
        var subscribers: [Subscriber] = []
        var latest: [UInt8] = []
        var number = 0
        var finishingSince: Int64?
        var acceptPausedUntil: Int64 = 0
        var pollSet: [pollfd] = []
        var scratch = [UInt8](repeating: 0, count: 4096)

        while true {
            let (lines, finishing) = queue.withLock { state -> ([[UInt8]], Bool) in
                let taken = state.lines
                state.lines.removeAll(keepingCapacity: true)
                return (taken, state.finishing)
            }
            for line in lines {
                latest = line
                for s in subscribers { s.pending.append(contentsOf: line) }
            }
            subscribers.removeAll { s in
                guard s.behind > SnapshotPublisher.maxBehind else { return false }
                droppedCount.add(1, ordering: .relaxed)
                log("ioc: publish: \(s.name) fell \(s.behind) bytes behind (over 1 MiB); disconnected")
                close(s.fd)
                return true
            }
            subscribers.removeAll { !flush($0) }
            connectedCount.store(subscribers.count, ordering: .relaxed)
            if finishing {
                let now = monotonicNanoseconds()
                if finishingSince == nil { finishingSince = now }
                if subscribers.allSatisfy({ $0.behind == 0 }) || now - finishingSince! > SnapshotPublisher.finishGrace {
                    break
                }
            }

            pollSet.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            let accepting = !finishing && monotonicNanoseconds() >= acceptPausedUntil
            for l in listeners {
                pollSet.append(pollfd(fd: l.fd, events: accepting ? Int16(POLLIN) : 0, revents: 0))
            }
            let firstSubscriber = pollSet.count
            for s in subscribers {
                let events = (s.readClosed ? 0 : Int16(POLLIN)) | (s.behind > 0 ? Int16(POLLOUT) : 0)
                pollSet.append(pollfd(fd: s.fd, events: events, revents: 0))
            }
            let r = poll(&pollSet, nfds_t(pollSet.count), finishing ? 50 : 1000)
            if r < 0 && errno != EINTR { break }
            if pollSet[0].revents != 0 {
                while read(wakeRead, &scratch, scratch.count) > 0 {}
            }
            if accepting {
                for (i, l) in listeners.enumerated() where pollSet[1 + i].revents & Int16(POLLIN) != 0 {
                    while true {
                        let fd = SocketAddress.accept(l.fd)
                        if fd < 0 {
                            if errno == EINTR { continue }
                            if errno == EMFILE || errno == ENFILE {
                                // Out of descriptors: the pending connection would wake every poll at once.
                                log("ioc: publish: \(l.address): \(String(cString: strerror(errno))); pausing")
                                acceptPausedUntil = monotonicNanoseconds() + 100_000_000
                            }
                            break
                        }
                        // A small kernel buffer keeps "behind" close to what this publisher holds.
                        var size: Int32 = 1 << 16
                        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
                        number += 1
                        let s = Subscriber(fd: fd, name: "\(l.address)#\(number)")
                        s.pending = latest
                        subscribers.append(s)
                    }
                }
            }
            // Subscribers say nothing; a readable one has closed (or sent bytes we ignore).
            var closed: Set<Int32> = []
            for (j, s) in subscribers.enumerated() {
                let revents = pollSet.count > firstSubscriber + j ? pollSet[firstSubscriber + j].revents : 0
                if revents & Int16(POLLERR | POLLNVAL) != 0 {
                    closed.insert(s.fd)
                } else if revents & Int16(POLLIN) != 0 {
                    let n = read(s.fd, &scratch, scratch.count)
                    // End of its input is a half-close (`nc -N`, `socat … < /dev/null`): keep sending to it;
                    // a failed send or POLLERR/POLLHUP ends it.
                    if n == 0 { s.readClosed = true }
                    if n < 0 && errno != EAGAIN && errno != EINTR { closed.insert(s.fd) }
                } else if revents & Int16(POLLHUP) != 0 {
                    closed.insert(s.fd)
                }
            }
            if !closed.isEmpty {
                subscribers.removeAll { s in
                    guard closed.contains(s.fd) else { return false }
                    close(s.fd)
                    return true
                }
            }
        }
        queue.withLock {
            $0.stopped = true
            $0.lines.removeAll()
        }
        for s in subscribers { close(s.fd) }
        connectedCount.store(0, ordering: .relaxed)
        for l in listeners {
            close(l.fd)
            if case .unix(let path) = l.address { unlink(path) }
        }
        close(wakeRead)
        close(wakeWrite)
        done.signal()
    }

    /// Writes as much of `s.pending` as the socket takes; false when the subscriber is gone.
    private func flush(_ s: Subscriber) -> Bool {
        while s.behind > 0 {
            let n = s.pending.withUnsafeBytes { send(s.fd, $0.baseAddress! + s.sent, s.behind, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                s.sent += n
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            if n < 0 && errno == EINTR { continue }
            close(s.fd)
            return false
        }
        if s.sent > 0 && s.sent == s.pending.count {
            s.pending.removeAll(keepingCapacity: true)
            s.sent = 0
        } else if s.sent > 1 << 18 {
            s.pending.removeFirst(s.sent)
            s.sent = 0
        }
        return true
    }
}
