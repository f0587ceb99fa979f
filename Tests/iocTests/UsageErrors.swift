import IOCTestSupport
import Testing

/// Runs `ioc args` and checks what every bad flag must give: exit 64, nothing on stdout, `message` first, then the
/// subcommand's usage and the hint to its `--help`.
func expectUsageError(
    _ args: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let r = try ProcessRunner.ioc(args, stdin: "")
    let subcommand = args.first ?? ""
    #expect(r.status == 64, sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    #expect(r.stderr.hasPrefix(message), "\(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains("\nUsage: ioc \(subcommand) "), sourceLocation: sourceLocation)
    #expect(
        r.stderr.hasSuffix("  See 'ioc \(subcommand) --help' for more information.\n"), sourceLocation: sourceLocation)
}
