import IOCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The paths of one `ioc run`, checked against each other before anything is opened (SPEC §7: a bad path is exit
/// 64). Opening an output truncates it, so an output that is also an input or the rules file would destroy what
/// the run is about to read, and two outputs on one file would interleave into neither; `cat` refuses the
/// first for the same reason ("input file is output file").
///
/// Only regular files (and paths not there yet) count: `/dev/null`, a terminal or a named pipe may well be
/// named twice. Two names are the same file when they have the same device and inode, or, for a file that
/// does not exist yet, the same folder and name.
struct PathCheck {
    /// A file as the kernel knows it, or the resolved folder and name of one still to be created.
    private enum Identity: Equatable {
        case file(device: UInt64, inode: UInt64)
        case planned(String)
        /// A terminal, device, pipe or socket: never a collision.
        case other
    }

    /// The identity of `path`, or of the standard output (`stdio` 1) or input (0) for `-`.
    private static func identity(of path: String, stdio: Int32 = STDOUT_FILENO) -> Identity {
        var st = stat()
        let found = path == "-" ? fstat(stdio, &st) == 0 : stat(path, &st) == 0
        if found {
            guard (st.st_mode & S_IFMT) == S_IFREG else { return .other }
            return .file(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        }
        guard path != "-" else { return .other }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let resolved = realpath(folder.isEmpty ? "/" : folder, nil) else { return .planned(path) }
        defer { free(resolved) }
        return .planned(String(cString: resolved) + "/" + name)
    }

    /// Throws when an output is also an input or the rules file, when two outputs are one file, or when
    /// `--latest` names something that is not a regular file (it is replaced by a rename, which would put a
    /// plain file in place of a device or a pipe).
    ///
    /// With `{route}` in `--dispatch`, every file the rules can route to is checked: each category's agency, the
    /// fallback's, each security route and the default one.
    static func check(_ options: RunOptions, rules: Rules) throws(UsageError) {
        var reads: [(what: String, identity: Identity)] = []
        for input in options.inputs where input != "-" {
            reads.append(("input '\(input)'", identity(of: input)))
        }
        // stdin, named or the default input, may be a file redirected in (`ioc run - --snapshots x < x`).
        if options.inputs.contains("-") || (options.inputs.isEmpty && options.listen.isEmpty) {
            reads.append(("standard input", identity(of: "-", stdio: STDIN_FILENO)))
        }
        if let rules = options.rulesPath { reads.append(("rules file '\(rules)'", identity(of: rules))) }

        var writes: [(flag: String, path: String)] = [("--snapshots", options.snapshots)]
        if let p = options.latest {
            writes.append(("--latest", p))
            // The file each snapshot is written to before the rename: created and removed at every snapshot.
            writes.append(("--latest", LatestFileSink.temporaryPath(for: p)))
        }
        if let p = options.alerts { writes.append(("--alerts", p)) }
        if let p = options.deadLetter { writes.append(("--dead-letter", p)) }
        if let p = options.totals { writes.append(("--totals", p)) }
        if let p = options.dispatch {
            if p.contains("{route}") {
                // By bytes, as the dispatch keys its files: an agency spelled NFC and NFD is two files.
                var routes = Set(rules.categories.map { ExactString($0.agency) })
                routes.insert(ExactString(rules.fallback.agency))
                routes.formUnion(rules.securityRoutes.values.map(ExactString.init))
                routes.insert(ExactString(rules.securityDefaultRoute))
                for route in routes.map(\.string).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    writes.append(("--dispatch", p.replacingAll("{route}", with: OutputHub.safeFileName(route))))
                }
            } else {
                writes.append(("--dispatch", p))
            }
        }

        // Only an existing path that is not a regular file is `.other`.
        if let p = options.latest, p != "-", case .other = identity(of: p) {
            throw UsageError("'--latest \(p)' is not a regular file: the latest snapshot replaces it by a rename")
        }

        var seen: [(flag: String, path: String, identity: Identity)] = []
        for w in writes {
            let id = identity(of: w.path)
            if case .other = id { continue }
            // Outputs on `-` share one descriptor on purpose (`--snapshots - --alerts -`), wherever it points.
            let others = w.path == "-" ? seen.filter { $0.path != "-" } : seen
            let shown = w.path == "-" ? "the standard output" : "'\(w.path)'"
            if let r = reads.first(where: { $0.identity == id }) {
                let output = w.path == "-" ? "the standard output (\(w.flag) -)" : "\(w.flag) '\(w.path)'"
                throw UsageError("\(output) is the \(r.what): writing it would destroy what is read")
            }
            if let s = others.first(where: { $0.identity == id }) {
                if s.flag == w.flag {
                    throw UsageError("\(w.flag) routes two ways to the same file (\(shown)): give each route its own")
                }
                throw UsageError("\(s.flag) and \(w.flag) name the same file (\(shown)): give each output its own")
            }
            seen.append((w.flag, w.path, id))
        }
    }
}
