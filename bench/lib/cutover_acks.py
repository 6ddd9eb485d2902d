#!/usr/bin/env python3
"""The lost-write check and the client's view of a switchover (bench/cutover_bench.sh).

    cutover_acks.py ACKS TARGET_ROWS SOURCE_PORT TARGET_PORT [FREEZE_START]

ACKS is bench/cutover_writer's output (A/E lines); TARGET_ROWS is `writer n id` per row of
cutover_acks on the target after the run. Prints `key=value` lines:
  acked, acked_source, acked_target   commits the writer saw acknowledged, in all and per side
  missing                             acknowledged rows absent from the target (must be 0)
  id_mismatch                         acknowledged rows whose id differs on the target (must be 0)
  unacked_present                     rows on the target whose commit the writer never saw
                                      acknowledged (a session ended between commit and answer)
  errors, refused_readonly, ended, connect_failed, duplicate_key   refused attempts by kind
  last_source_ack, first_target_ack   unix times
  write_gap                           first_target_ack - last_source_ack: how long the
                                      application could not write, as it saw it
  first_target_after_freeze           first_target_ack - FREEZE_START, when given
  max_gap_before / max_gap_after      longest pause between acks away from the switch
  sample_missing                      up to 5 missing `writer n id`
"""
import sys


def main():
    acks_path, rows_path, src_port, dst_port = sys.argv[1:5]
    freeze_start = float(sys.argv[5]) if len(sys.argv) > 5 else None
    acked = {}
    times = {src_port: [], dst_port: []}
    errors = {"refused_readonly": 0, "ended": 0, "connect_failed": 0, "duplicate_key": 0}
    n_errors = 0
    with open(acks_path) as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 5)
            if parts[0] == "A" and len(parts) == 6:
                _, at, writer, n, row_id, port = parts
                acked[(writer, n)] = (row_id, port)
                times.setdefault(port, []).append(float(at))
            elif parts[0] == "E" and len(parts) >= 5:
                n_errors += 1
                state, message = parts[4], parts[5] if len(parts) > 5 else ""
                if state == "25006":
                    errors["refused_readonly"] += 1
                elif state == "23505":
                    errors["duplicate_key"] += 1
                elif state == "connect":
                    errors["connect_failed"] += 1
                elif state in ("57P01", "-----") or "terminat" in message or "closed" in message:
                    errors["ended"] += 1
    on_target = {}
    with open(rows_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                on_target[(parts[0], parts[1])] = parts[2]
    missing = [k for k in acked if k not in on_target]
    mismatch = [k for k in acked if k in on_target and on_target[k] != acked[k][0]]
    src, dst = sorted(times.get(src_port, [])), sorted(times.get(dst_port, []))
    out = {
        "acked": len(acked),
        "acked_source": len(src),
        "acked_target": len(dst),
        "missing": len(missing),
        "id_mismatch": len(mismatch),
        "unacked_present": len(set(on_target) - set(acked)),
        "errors": n_errors,
        **errors,
    }
    if src and dst:
        out["last_source_ack"] = f"{src[-1]:.3f}"
        out["first_target_ack"] = f"{dst[0]:.3f}"
        out["write_gap"] = f"{dst[0] - src[-1]:.3f}"
        gaps = lambda t: max((b - a for a, b in zip(t, t[1:])), default=0.0)
        out["max_gap_before"] = f"{gaps(src):.3f}"
        out["max_gap_after"] = f"{gaps(dst):.3f}"
        if freeze_start is not None:
            out["first_target_after_freeze"] = f"{dst[0] - freeze_start:.3f}"
    out["sample_missing"] = ",".join(
        f"{w}/{n}/{acked[(w, n)][0]}" for w, n in missing[:5]) or "-"
    for key, value in out.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
