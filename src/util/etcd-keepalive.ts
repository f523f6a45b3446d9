// How often the lab's etcd clients ping their members (no imports: the topology reads the flag too).
//
// A SIGKILLed member (or a cut link) sends no RST: a lease's keepalive stream on it would hang until
// etcd3's own timeout of one TTL, and by then the lease has expired, so the backend drops out though
// two members were still there. With pings every second the dead connection fails within ~2 s and
// the stream moves to a live member. etcd answers pings more often than its
// --grpc-keepalive-min-time (5 s unless set) with GOAWAY, so the lab starts every member with the flag.
export const ETCD_KEEPALIVE_MS = 1000;
/** With one member: slower, only to find a dead connection (see etcd-client.ts). */
export const ETCD_SINGLE_MEMBER_KEEPALIVE_MS = 10_000;
export const ETCD_KEEPALIVE_FLAG = '--grpc-keepalive-min-time';
