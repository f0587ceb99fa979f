// swift-tools-version: 6.0
import PackageDescription

/// ioc-stream depends on the Swift toolchain only: stdlib, Foundation, Dispatch, Synchronization, Glibc.
let package = Package(
    name: "ioc-stream",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ioc", targets: ["ioc"]),
        .library(name: "IOCCore", targets: ["IOCCore"]),
        .library(name: "IOCRuntime", targets: ["IOCRuntime"]),
    ],
    targets: [
        .target(name: "IOCCore"),
        .target(name: "IOCRuntime", dependencies: ["IOCCore"]),
        .executableTarget(name: "ioc", dependencies: ["IOCRuntime", "IOCCore"]),
        .target(name: "IOCTestSupport", dependencies: ["IOCCore", "IOCRuntime"]),
        .testTarget(name: "IOCCoreTests", dependencies: ["IOCCore", "IOCTestSupport"]),
        .testTarget(name: "IOCRuntimeTests", dependencies: ["IOCRuntime", "IOCTestSupport"]),
        .testTarget(name: "iocTests", dependencies: ["IOCTestSupport"]),
    ]
)
