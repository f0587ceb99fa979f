import Foundation

/// The outcome of running a command.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the built `ioc` (or any program) as a process, with optional stdin, and collects its output.
public enum ProcessRunner {
    /// - Parameter stdoutFile: a file the command's stdout goes to instead of the returned `stdout` (which is then
    ///   empty), e.g. `/dev/full` to see a write fail.
    public static func ioc(
        _ arguments: [String], stdin: String? = nil, cwd: URL? = nil, stdoutFile: String? = nil
    ) throws -> ProcessResult {
        try run(TestPaths.iocBinary, arguments, stdin: stdin.map { Data($0.utf8) }, cwd: cwd, stdoutFile: stdoutFile)
    }

    public static func run(
        _ executable: URL, _ arguments: [String], stdin: Data? = nil, cwd: URL? = nil, stdoutFile: String? = nil
    ) throws
        -> ProcessResult
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        if let stdoutFile {
            guard let file = FileHandle(forWritingAtPath: stdoutFile) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: stdoutFile])
            }
            process.standardOutput = file
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        process.standardInput = input
        try process.run()
        // A pipe the command was not given ends at once.
        if stdoutFile != nil { try? out.fileHandleForWriting.close() }
        // Write stdin and drain both pipes concurrently so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
