import Foundation
import IOCCore

/// Everything `ioc run` was asked to do (SPEC §9), already checked for syntax by the CLI.
public struct RunOptions: Sendable {
    public var inputs: [String] = []
    public var rulesPath: String?
    public var window: Int64 = 60_000_000_000
    public var lateness: Int64 = 30_000_000_000
    public var maxFuture: Int64 = 300_000_000_000
    public var maxLine = 1 << 20
    public var maxKeys = 1_000_000
    /// `--snapshots PATH|-`; stdout by default.
    public var snapshots = "-"
    public var latest: String?
    public var alerts: String?
    public var deadLetter: String?
    public var dispatch: String?
    public var summary = false
    /// `--totals PATH`: end-of-run totals as JSON.
    public var totals: String?
    /// Parse workers (`--threads`); nil means one per core. At most `maxWorkers`.
    public var workers: Int?
    /// The most parse workers a run starts (`--threads`, and the default on a machine with more cores): each holds
    /// ten batches of the pool (about 9 MB at the default batch size) and a thread, so 256 of them are already 2 GB.
    public static let maxWorkers = 256
    /// The parse workers of a run: `workers`, or one per core up to `maxWorkers`.
    static func workerCount(_ workers: Int?) -> Int {
        min(maxWorkers, max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount))
    }
    /// Bytes per batch handed between stages. 512 KiB runs as fast as 1 MiB here and keeps the pool (every batch
    /// with its parsed events) about 30 MB smaller.
    public var batchSize = 1 << 19
    /// `--format auto|ioc|open311|eve|ngsi`.
    public var format = FeedFormat.auto
    /// `--when-full block|drop`.
    public var whenFull = WhenFull.block
    /// `--listen ADDR` (repeatable): sockets city systems connect to and stream NDJSON.
    public var listen: [SocketAddress] = []
    /// `--follow`: tail the file inputs as `tail -F` does (from their end unless `fromStart`).
    public var follow = false
    /// `--from-start`: with `--follow`, read what the files already hold first.
    public var fromStart = false
    /// `--every D`: a provisional snapshot of the open window every D of wall-clock time.
    public var every: Int64?
    /// `--idle D`: on a quiet live input the watermark advances with the wall clock after D.
    public var idle: Int64 = 10_000_000_000
    /// `--publish ADDR` (repeatable): where snapshot subscribers connect.
    public var publish: [SocketAddress] = []

    /// A live service (sockets, followed files, subscribers or provisional snapshots): its snapshots carry the
    /// run-time figures (`ring_fill`, `watermark_lag_ms`, …) in `pipeline`.
    public var isLiveService: Bool { !listen.isEmpty || follow || !publish.isEmpty || every != nil }

    /// Install SIGINT/SIGTERM/SIGHUP handlers (off when embedded, e.g. in tests).
    public var handleSignals = true

    public init() {}
}

/// A problem with what the user asked for: exit 64 with `Error: …` and the usage.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
