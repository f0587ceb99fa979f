import Foundation

/// Where the repository and the shared material are, found from this source file.
public enum TestPaths {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `../shared/realdata` beside the repository (not part of it; may be absent).
    public static let realdata = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/realdata")

    public static let samples = packageRoot.appendingPathComponent("samples")

    /// The built `ioc` executable next to the test bundle (same build folder).
    public static var iocBinary: URL {
        let bundle = Bundle.main.bundleURL
        for candidate in [
            bundle.appendingPathComponent("ioc"),
            bundle.deletingLastPathComponent().appendingPathComponent("ioc"),
        ] where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        // swift test builds into .build/<triple>/debug; find ioc there.
        let build = packageRoot.appendingPathComponent(".build/debug/ioc")
        return build
    }
}
