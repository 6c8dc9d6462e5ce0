# The workload run inside the test cgroup of the qemu guest (the module test checks each step).
echo $$ > /sys/fs/cgroup/app/cgroup.procs
echo '{"sp":"guest-line"}' > /tmp/kfile
cat /tmp/kfile > /dev/null
mkdir /tmp/kdir
mv /tmp/kfile /tmp/kdir/kfile2
rm /tmp/kdir/kfile2
# a marker line on stdout longer than one record (9000 bytes): tr writes it in pieces, the first
# starting with the record prefix, the rest going on with its line (kmod/include/sp_markers.h)
{ printf '@prov/1 '; head -c 9000 /dev/zero; echo; } | tr '\0' 'x' > /tmp/long
cat /tmp/long | cat > /dev/null
# >>> stdio markers (test/kmod-lkm.test.ts also runs this block on the host under the probe)
# markers only, stdout into a pipe as a container's is: a marker line split over two writes is
# kept whole, the plain line after it is summed, the sentinel is kept
( printf '@prov/1 split'; printf ' marker\n'; printf 'plain line\n'; printf 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n' ) | cat > /dev/null
# markers written to /dev/null, where nobody reads them: summed too, the first of the run recorded
# (a subshell of its own: this shell has summed writes of fd 1 already, so its run started earlier)
( for i in 1 2 3 4 5; do printf '@prov/1 null\n'; done ) > /dev/null
# <<< stdio markers
# repeated small reads and writes (stdout to /dev/null): summed in the module (IO_REPEAT)
dd if=/dev/zero of=/dev/null bs=64 count=500 2>/dev/null
# a child in a pid namespace of its own (as in a container), where it is pid 1
unshare -p -f true
nc -l -p 8099 > /dev/null &
sleep 0.3
echo ping | nc 127.0.0.1 8099 2>/dev/null || true
sleep 0.3
