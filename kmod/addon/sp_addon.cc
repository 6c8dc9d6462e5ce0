// node-addon-api binding of the capture loader (loader/sp_capture.h).
// One Buffer per batch: the kernel's records are written straight into memory that becomes
// the Buffer (no per-event objects or copies in JavaScript); decoding is kmod/decode.ts.
#include <napi.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include "sp_capture.h"

namespace {

const size_t kDefaultBatchBytes = 1 << 20;

uint64_t ToU64(const Napi::Value &v, const char *what)
{
	Napi::Env env = v.Env();
	if (v.IsBigInt()) {
		bool lossless = true;
		uint64_t x = v.As<Napi::BigInt>().Uint64Value(&lossless);
		if (!lossless)
			throw Napi::TypeError::New(env, std::string(what) + " does not fit in 64 bits");
		return x;
	}
	if (v.IsNumber()) {
		double d = v.As<Napi::Number>().DoubleValue();
		if (d < 0 || d != (double)(uint64_t)d || d > 9007199254740991.0)
			throw Napi::TypeError::New(env, std::string(what) + " must be a non-negative integer");
		return (uint64_t)d;
	}
	if (v.IsString()) {
		std::string s = v.As<Napi::String>().Utf8Value();
		char *end = nullptr;
		errno = 0;
		unsigned long long x = strtoull(s.c_str(), &end, 10);
		if (s.empty() || *end || errno)
			throw Napi::TypeError::New(env, std::string(what) + " must be a decimal string, got \"" + s + "\"");
		return x;
	}
	throw Napi::TypeError::New(env, std::string(what) + " must be a bigint, number or decimal string");
}

class Capture;

class PollWorker : public Napi::AsyncWorker {
public:
	PollWorker(Napi::Env env, Capture *owner, size_t cap, int timeout)
		: Napi::AsyncWorker(env), owner_(owner), cap_(cap), timeout_(timeout), deferred_(Napi::Promise::Deferred::New(env)) {}
	Napi::Promise Promise() { return deferred_.Promise(); }
	void Execute() override;
	void OnOK() override;
	void OnError(const Napi::Error &e) override;

private:
	Capture *owner_;
	size_t cap_;
	int timeout_;
	char *buf_ = nullptr;
	long got_ = 0;
	Napi::Promise::Deferred deferred_;
};

class Capture : public Napi::ObjectWrap<Capture> {
public:
	static Napi::Function Init(Napi::Env env)
	{
		return DefineClass(env, "Capture",
				   { InstanceMethod("addCgroup", &Capture::AddCgroup),
				     InstanceMethod("removeCgroup", &Capture::RemoveCgroup),
				     InstanceMethod("addSubtree", &Capture::AddSubtree),
				     InstanceMethod("removeSubtree", &Capture::RemoveSubtree),
				     InstanceMethod("addPid", &Capture::AddPid),
				     InstanceMethod("poll", &Capture::Poll),
				     InstanceMethod("pollAsync", &Capture::PollAsync),
				     InstanceMethod("stats", &Capture::Stats),
				     InstanceMethod("close", &Capture::Close),
				     InstanceAccessor("backend", &Capture::Backend, nullptr) });
	}

	// new Capture({ backend?: 'bpf' | 'kmod', device?: string, batchBytes?: number, durations?: boolean })
	Capture(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Capture>(info)
	{
		Napi::Env env = info.Env();
		std::string backend = "bpf", device;
		unsigned flags = 0;
		if (info.Length() > 0 && info[0].IsObject()) {
			Napi::Object o = info[0].As<Napi::Object>();
			if (o.Has("backend") && !o.Get("backend").IsUndefined())
				backend = o.Get("backend").ToString().Utf8Value();
			if (o.Has("device") && !o.Get("device").IsUndefined())
				device = o.Get("device").ToString().Utf8Value();
			if (o.Has("batchBytes") && !o.Get("batchBytes").IsUndefined())
				batch_ = (size_t)ToU64(o.Get("batchBytes"), "batchBytes");
			if (o.Has("durations") && o.Get("durations").ToBoolean())
				flags |= SP_OPEN_DURATIONS;
		}
		if (backend != "bpf" && backend != "kmod") {
			Napi::TypeError::New(env, "backend must be 'bpf' or 'kmod', got '" + backend + "'").ThrowAsJavaScriptException();
			return;
		}
		if (batch_ < SP_SCRATCH_BYTES) {
			Napi::RangeError::New(env, "batchBytes must be at least " + std::to_string(SP_SCRATCH_BYTES))
				.ThrowAsJavaScriptException();
			return;
		}
		char err[512] = "";
		backend_ = backend;
		int rc = sp_capture_open(backend == "kmod" ? SP_BACKEND_KMOD : SP_BACKEND_BPF,
					 device.empty() ? nullptr : device.c_str(), flags, &c_, err, sizeof(err));
		if (rc < 0) {
			Napi::Error e = Napi::Error::New(env, err);
			e.Set("code", Napi::String::New(env, "SP_CAPTURE_UNAVAILABLE"));
			e.Set("errno", Napi::Number::New(env, -rc));
			e.ThrowAsJavaScriptException();
		}
	}

	~Capture() override { sp_capture_close(c_); }

	sp_capture *handle() { return c_; }
	bool busy_ = false;

private:
	sp_capture *c_ = nullptr;
	size_t batch_ = kDefaultBatchBytes;
	std::string backend_;

	bool Check(Napi::Env env)
	{
		if (!c_) {
			Napi::Error::New(env, "capture is closed").ThrowAsJavaScriptException();
			return false;
		}
		if (busy_) {
			Napi::Error::New(env, "a pollAsync() is in progress: await it first").ThrowAsJavaScriptException();
			return false;
		}
		return true;
	}

	Napi::Value SetCgroup(const Napi::CallbackInfo &info, bool add)
	{
		Napi::Env env = info.Env();
		if (!c_) {
			Napi::Error::New(env, "capture is closed").ThrowAsJavaScriptException();
			return env.Undefined();
		}
		uint64_t id = ToU64(info[0], "cgroup id");
		int rc = add ? sp_capture_add_cgroup(c_, id) : sp_capture_remove_cgroup(c_, id);
		if (rc < 0)
			Napi::Error::New(env, std::string("cannot update the cgroup filter: ") + strerror(-rc)).ThrowAsJavaScriptException();
		return env.Undefined();
	}
	Napi::Value AddCgroup(const Napi::CallbackInfo &info) { return SetCgroup(info, true); }
	Napi::Value RemoveCgroup(const Napi::CallbackInfo &info) { return SetCgroup(info, false); }

	// addSubtree(id, level) / removeSubtree(id, level)
	Napi::Value SetSubtree(const Napi::CallbackInfo &info, bool add)
	{
		Napi::Env env = info.Env();
		if (!c_) {
			Napi::Error::New(env, "capture is closed").ThrowAsJavaScriptException();
			return env.Undefined();
		}
		uint64_t id = ToU64(info[0], "cgroup id");
		uint64_t level = ToU64(info[1], "cgroup level");
		int rc = add ? sp_capture_add_subtree(c_, id, (uint32_t)level) : sp_capture_remove_subtree(c_, id, (uint32_t)level);
		if (rc < 0)
			Napi::Error::New(env, std::string("cannot update the cgroup subtree filter: ") + strerror(-rc)).ThrowAsJavaScriptException();
		return env.Undefined();
	}
	Napi::Value AddSubtree(const Napi::CallbackInfo &info) { return SetSubtree(info, true); }
	Napi::Value RemoveSubtree(const Napi::CallbackInfo &info) { return SetSubtree(info, false); }

	Napi::Value AddPid(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (!c_) {
			Napi::Error::New(env, "capture is closed").ThrowAsJavaScriptException();
			return env.Undefined();
		}
		uint64_t pid = ToU64(info[0], "pid");
		int rc = sp_capture_add_pid(c_, (uint32_t)pid);
		if (rc < 0)
			Napi::Error::New(env, std::string("cannot follow pid: ") + strerror(-rc)).ThrowAsJavaScriptException();
		return env.Undefined();
	}

	static void FreeBatch(Napi::Env, char *data) { free(data); }

public:
	static Napi::Value WrapBatch(Napi::Env env, char *buf, long got)
	{
		if (got <= 0) {
			free(buf);
			return env.Null();
		}
		char *shrunk = (char *)realloc(buf, (size_t)got);
		if (shrunk)
			buf = shrunk;
		return Napi::Buffer<char>::New(env, buf, (size_t)got, FreeBatch);
	}
	size_t batchBytes() const { return batch_; }

private:
	// poll(timeoutMs = 0): Buffer | null. Blocks the thread up to timeoutMs.
	Napi::Value Poll(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (!Check(env))
			return env.Undefined();
		int timeout = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
		char *buf = (char *)malloc(batch_);
		if (!buf) {
			Napi::Error::New(env, "out of memory").ThrowAsJavaScriptException();
			return env.Undefined();
		}
		long got = sp_capture_poll(c_, buf, batch_, timeout);
		if (got < 0) {
			free(buf);
			Napi::Error::New(env, std::string("poll failed: ") + strerror((int)-got)).ThrowAsJavaScriptException();
			return env.Undefined();
		}
		return WrapBatch(env, buf, got);
	}

	// pollAsync(timeoutMs = 100): Promise<Buffer | null>, waiting on a worker thread.
	Napi::Value PollAsync(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (!Check(env))
			return env.Undefined();
		int timeout = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 100;
		auto *w = new PollWorker(env, this, batch_, timeout);
		busy_ = true;
		Ref();
		Napi::Promise p = w->Promise();
		w->Queue();
		return p;
	}

	Napi::Value Stats(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		struct sp_stats st = {};
		if (!c_) {
			Napi::Error::New(env, "capture is closed").ThrowAsJavaScriptException();
			return env.Undefined();
		}
		int rc = sp_capture_stats(c_, &st);
		if (rc < 0) {
			Napi::Error::New(env, std::string("cannot read counters: ") + strerror(-rc)).ThrowAsJavaScriptException();
			return env.Undefined();
		}
		Napi::Object o = Napi::Object::New(env);
		o.Set("events", Napi::Number::New(env, (double)st.events));
		o.Set("drops", Napi::Number::New(env, (double)st.drops));
		o.Set("bytes", Napi::Number::New(env, (double)st.bytes));
		return o;
	}

	Napi::Value Close(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		if (busy_) {
			Napi::Error::New(env, "a pollAsync() is in progress: await it before close()").ThrowAsJavaScriptException();
			return env.Undefined();
		}
		sp_capture_close(c_);
		c_ = nullptr;
		return env.Undefined();
	}

	Napi::Value Backend(const Napi::CallbackInfo &info) { return Napi::String::New(info.Env(), backend_); }
};

void PollWorker::Execute()
{
	buf_ = (char *)malloc(cap_);
	if (!buf_) {
		SetError("out of memory");
		return;
	}
	got_ = sp_capture_poll(owner_->handle(), buf_, cap_, timeout_);
	if (got_ < 0)
		SetError(std::string("poll failed: ") + strerror((int)-got_));
}

void PollWorker::OnOK()
{
	owner_->busy_ = false;
	owner_->Unref();
	Napi::Value v = Capture::WrapBatch(Env(), buf_, got_);
	buf_ = nullptr;
	deferred_.Resolve(v);
}

void PollWorker::OnError(const Napi::Error &e)
{
	owner_->busy_ = false;
	owner_->Unref();
	free(buf_);
	buf_ = nullptr;
	deferred_.Reject(e.Value());
}

Napi::Value BootTimeOffset(const Napi::CallbackInfo &info)
{
	return Napi::BigInt::New(info.Env(), (int64_t)sp_boottime_offset_ns());
}

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	exports.Set("Capture", Capture::Init(env));
	exports.Set("bootTimeOffsetNs", Napi::Function::New(env, BootTimeOffset));
	exports.Set("recordVersion", Napi::Number::New(env, SP_EVENT_VERSION));
	return exports;
}

} // namespace

NODE_API_MODULE(sp_capture, Init)
