import IOCCore
import Testing

/// `Event` keeps the members of different kinds in shared words: every member must still read its default on a
/// fresh event, and the members of one kind must keep their own values.
@Suite("Event storage")
struct EventTests {
    @Test func aFreshEventReadsEveryDefault() {
        let e = Event()
        #expect(e.kind == .metric)
        #expect(e.vehicles == 0)
        #expect(e.speedKmh == 0)
        #expect(e.occupancy.isNaN)
        #expect(e.intervalS == 60)
        #expect(e.severity == 3)
        #expect(e.due == .min)
        #expect(e.value == 0)
        #expect(e.text == .absent)
        #expect(e.category == .absent)
        #expect(e.district == .absent && e.key == .absent && e.subject == .absent && e.agency == .absent)
        #expect(e.categoryIndex == -1)
    }

    @Test func trafficMembersKeepTheirValues() {
        var e = Event()
        e.kind = .traffic
        e.vehicles = 1 << 53
        e.speedKmh = -0.0
        e.occupancy = 0.23
        e.intervalS = 0x7FFF_FFFF_FFFF
        #expect(e.vehicles == 1 << 53)
        #expect(e.speedKmh == 0 && e.speedKmh.sign == .minus)
        #expect(e.occupancy == 0.23)
        #expect(e.intervalS == 0x7FFF_FFFF_FFFF)
        e.intervalS = 60
        e.occupancy = .nan
        #expect(e.intervalS == 60 && e.occupancy.isNaN && e.vehicles == 1 << 53)
    }

    @Test func reportAndServiceMembersKeepTheirValues() {
        var r = Event()
        r.kind = .fieldReport
        r.text = ByteRef(start: 0x8000_0001, count: 7)
        r.category = ByteRef(start: 0, count: 0)
        r.due = -1
        #expect(r.text == ByteRef(start: 0x8000_0001, count: 7))
        #expect(r.category == ByteRef(start: 0, count: 0) && !r.category.isAbsent)
        #expect(r.due == -1)
        r.text = .absent
        #expect(r.text.isAbsent && r.due == -1)

        var s = Event()
        s.kind = .service
        s.due = .max
        #expect(s.due == .max && s.text.isAbsent && s.value == 0)
        s.due = .min
        #expect(s.due == .min)
    }

    @Test func metricAndSecurityMembersKeepTheirValues() {
        var m = Event()
        m.value = -1e300
        #expect(m.value == -1e300 && m.due == .min && m.speedKmh == 0)
        var s = Event()
        s.kind = .security
        s.severity = 5
        #expect(s.severity == 5)
        s.severity = 1
        #expect(s.severity == 1)
    }

    /// The parse stage keeps only the upper half of a key's hash; the interner must find the key from it as from
    /// the whole hash.
    @Test func aHashsTagFindsTheKey() {
        var table = Interner()
        let keys = (0..<500).map { "PA-2026-\($0)" }
        for key in keys {
            var k = key
            k.withUTF8 { raw in
                let bytes = UnsafeRawBufferPointer(raw)
                let tag = Interner.tag(Interner.hash(bytes))
                let (id, isNew) = table.intern(bytes, hash: Interner.hash(tag: tag), allowNew: true)
                #expect(isNew)
                #expect(id == table.find(bytes))
            }
        }
        #expect(table.count == keys.count)
        for (i, key) in keys.enumerated() {
            var k = key
            k.withUTF8 { raw in
                let bytes = UnsafeRawBufferPointer(raw)
                let (id, isNew) = table.intern(
                    bytes, hash: Interner.hash(tag: Interner.tag(Interner.hash(bytes))), allowNew: false)
                #expect(id == Int32(i) && !isNew)
            }
        }
    }
}
