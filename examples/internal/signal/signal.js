// Browser side of the example programs: one websocket to the Go server and
// one RTCPeerConnection. The server relays SDP and ICE candidates to and
// from Kurento Media Server. See the Go package doc for the messages.
//
// window.testState exposes what happened, for the browser test and for
// curious people with a console open.
'use strict';

window.testState = {
  socketOpen: false,
  offerSent: false,
  answerApplied: false,
  answerError: '',
  localCandidates: 0,     // browser → server
  remoteCandidates: 0,    // server → browser, received
  remoteCandidatesAdded: 0,
  endOfCandidates: false, // server → browser: KMS finished gathering
  candidateError: '',
  remoteTracks: 0,
  peers: 0,
  error: '',
  ended: '',
  server: '',             // "kms" (KURENTO_URL) or "fake" (embedded, no media)
  connectionState: 'new', // RTCPeerConnection.connectionState
  framesDecoded: 0,       // inbound-rtp video, from getStats
  bytesReceived: 0,       // inbound-rtp, audio and video
};

// The page says which server the program talks to: an element with id
// "server" gets the text.
fetch('server.json').then((r) => r.json()).then((info) => {
  window.testState.server = info.kind;
  const el = document.getElementById('server');
  if (el) {
    el.textContent = info.kind === 'fake'
      ? 'the embedded fake KMS (media is forwarded, not transcoded)'
      : 'Kurento Media Server at ' + info.url;
  }
}).catch(() => {});

class Call {
  // opts: send (use camera and microphone), receive (expect media back),
  // localVideo, remoteVideo (video elements or null), onStatus(text),
  // onPeers(count) (group call).
  constructor(opts) {
    this.opts = opts;
    this.ws = null;
    this.pc = null;
    this.stream = null;
    this.pending = [];       // KMS candidates that came before the answer
    this.offerGone = false;
    this.early = [];         // browser candidates found before the offer went out
    this.statsTimer = null;
  }

  status(text) {
    if (this.opts.onStatus) this.opts.onStatus(text);
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  // start opens the socket, negotiates and relays candidates; fields are
  // added to the offer message (role, name).
  async start(fields) {
    const st = window.testState;
    this.ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    this.ws.onmessage = (e) => this.onMessage(JSON.parse(e.data));
    this.ws.onclose = () => { st.socketOpen = false; this.status('disconnected'); };
    await new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error('websocket failed'));
    });
    st.socketOpen = true;

    this.pc = new RTCPeerConnection();
    this.pc.onicecandidate = (e) => {
      if (!e.candidate || !e.candidate.candidate) return;
      const msg = { type: 'candidate', candidate: e.candidate.toJSON() };
      if (this.offerGone) {
        this.send(msg);
        st.localCandidates++;
      } else {
        this.early.push(msg);
      }
    };
    this.pc.ontrack = (e) => {
      st.remoteTracks++;
      if (this.opts.remoteVideo) {
        this.opts.remoteVideo.srcObject = e.streams[0] || new MediaStream([e.track]);
      }
    };
    this.pc.onconnectionstatechange = () => {
      st.connectionState = this.pc.connectionState;
      this.status('WebRTC ' + this.pc.connectionState);
    };
    // Media statistics for tests and the curious: what really arrives.
    this.statsTimer = setInterval(() => this.pollStats(), 500);

    if (this.opts.send) {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      if (this.opts.localVideo) this.opts.localVideo.srcObject = this.stream;
      for (const track of this.stream.getTracks()) {
        this.pc.addTransceiver(track, {
          direction: this.opts.receive ? 'sendrecv' : 'sendonly',
          streams: [this.stream],
        });
      }
    } else {
      this.pc.addTransceiver('audio', { direction: 'recvonly' });
      this.pc.addTransceiver('video', { direction: 'recvonly' });
    }

    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.send(Object.assign({ type: 'offer', sdp: offer.sdp }, fields || {}));
    st.offerSent = true;
    this.offerGone = true;
    for (const msg of this.early) {
      this.send(msg);
      st.localCandidates++;
    }
    this.early = [];
    this.status('offer sent');
  }

  async onMessage(msg) {
    const st = window.testState;
    switch (msg.type) {
      case 'answer':
        try {
          await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
          st.answerApplied = true;
          this.status('answer applied');
        } catch (err) {
          st.answerError = String(err);
          this.status('answer rejected: ' + err);
          return;
        }
        for (const c of this.pending) await this.addCandidate(c);
        this.pending = [];
        break;
      case 'candidate':
        // Without a candidate: KMS finished gathering. Passing undefined to
        // addIceCandidate tells the peer connection no more will come.
        if (msg.candidate) st.remoteCandidates++;
        else st.endOfCandidates = true;
        if (st.answerApplied) {
          await this.addCandidate(msg.candidate);
        } else {
          this.pending.push(msg.candidate);
        }
        break;
      case 'peers':
        // A count, not a status: the status line keeps the WebRTC state.
        st.peers = msg.count;
        if (this.opts.onPeers) this.opts.onPeers(msg.count);
        break;
      case 'error':
        st.error = msg.message;
        this.status('error: ' + msg.message);
        break;
      case 'ended':
        st.ended = msg.message || 'ended';
        this.status('ended: ' + st.ended);
        this.stop();
        break;
    }
  }

  async pollStats() {
    if (!this.pc) return;
    let frames = 0;
    let bytes = 0;
    const stats = await this.pc.getStats();
    stats.forEach((r) => {
      if (r.type !== 'inbound-rtp') return;
      bytes += r.bytesReceived || 0;
      if (r.kind === 'video') frames += r.framesDecoded || 0;
    });
    window.testState.framesDecoded = frames;
    window.testState.bytesReceived = bytes;
  }

  async addCandidate(c) {
    try {
      await this.pc.addIceCandidate(c);
      if (c) window.testState.remoteCandidatesAdded++;
    } catch (err) {
      window.testState.candidateError = String(err);
    }
  }

  // stop tells the server (which releases the objects of this page) and
  // closes everything locally.
  stop() {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.send({ type: 'stop' });
    if (this.ws) this.ws.close();
    if (this.pc) this.pc.close();
    if (this.stream) for (const t of this.stream.getTracks()) t.stop();
    this.ws = this.pc = this.stream = null;
    if (this.opts.remoteVideo) this.opts.remoteVideo.srcObject = null;
    if (this.opts.localVideo) this.opts.localVideo.srcObject = null;
  }
}

window.Call = Call;
