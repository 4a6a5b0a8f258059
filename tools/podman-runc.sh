#!/usr/bin/env bash
# podman as this project's deploy tests run it: as root, with runc and cgroupfs (these machines
# have no systemd to manage cgroups, and Debian's default runtime, crun, is not installed).
# podman-compose takes it as --podman-path.
exec podman --runtime runc --cgroup-manager=cgroupfs "$@"
