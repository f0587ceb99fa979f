// swift-tools-version: 6.0
import PackageDescription

/// Release builds skip the run-time exclusivity checks on the hot path: the aggregator's state is touched by one
/// thread only (see STYLE.md), and the checks cost more than the work itself. Debug builds (tests) keep them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

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
        .target(name: "IOCCore", swiftSettings: hotPath),
        .target(name: "IOCRuntime", dependencies: ["IOCCore"], swiftSettings: hotPath),
        .executableTarget(name: "ioc", dependencies: ["IOCRuntime", "IOCCore"]),
        .target(name: "IOCTestSupport", dependencies: ["IOCCore", "IOCRuntime"]),
        .testTarget(name: "IOCCoreTests", dependencies: ["IOCCore", "IOCTestSupport"]),
        .testTarget(name: "IOCRuntimeTests", dependencies: ["IOCRuntime", "IOCTestSupport"]),
        .testTarget(name: "iocTests", dependencies: ["IOCTestSupport", "IOCCore", "IOCRuntime"]),
    ]
)
