# The workload run inside the test cgroup of the qemu guest (the module test checks each step).
echo $$ > /sys/fs/cgroup/app/cgroup.procs
echo '{"sp":"guest-line"}' > /tmp/kfile
cat /tmp/kfile > /dev/null
mkdir /tmp/kdir
mv /tmp/kfile /tmp/kdir/kfile2
rm /tmp/kdir/kfile2
# a stdout line longer than one record (9000 bytes), written to a pipe by one process
head -c 9000 /dev/zero | tr '\0' 'x' > /tmp/long
cat /tmp/long | cat > /dev/null
# repeated small reads and writes (stdout to /dev/null): summed in the module (IO_REPEAT)
dd if=/dev/zero of=/dev/null bs=64 count=500 2>/dev/null
# a child in a pid namespace of its own (as in a container), where it is pid 1
unshare -p -f true
nc -l -p 8099 > /dev/null &
sleep 0.3
echo ping | nc 127.0.0.1 8099 2>/dev/null || true
sleep 0.3
