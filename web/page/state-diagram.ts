/**
 * The protocol's state machine as SVG, drawn from the protocol data
 * (core/protocols via core/browser.ts): states top to bottom in the order a
 * session goes through them, each allowed move an arc (forward on the right,
 * back on the left, a loop for "same state"), the moves from any state to
 * CLOSED summarised in one line. The current state is highlighted and the
 * last transition animated. No protocol fact is written here.
 */
import { protocolData, type Protocol, type TransitionEvent } from '../../core/browser.js';

const SVG = 'http://www.w3.org/2000/svg';
const BOX_WIDTH = 150;
const BOX_HEIGHT = 28;
const GAP = 22;
const LEFT = 70;

interface Edge {
  from: string;
  to: string;
  causes: string[];
  rfc: string;
}

export class StateDiagram {
  private protocol: Protocol | undefined;
  private svg: SVGSVGElement | undefined;
  private boxes = new Map<string, SVGGElement>();
  private edges = new Map<string, SVGPathElement>();

  constructor(private readonly host: HTMLElement, private readonly caption: HTMLElement, private readonly name: HTMLElement) {}

  /** Draws the protocol's diagram (again only when the protocol changes). */
  show(protocol: Protocol): void {
    if (this.protocol === protocol && this.svg) return;
    this.protocol = protocol;
    const data = protocolData(protocol);
    const states = [...data.states];
    const position = (state: string) => states.indexOf(state);
    const edges = new Map<string, Edge>();
    const anywhere: string[] = [];
    for (const [cause, spec] of Object.entries(data.transitions) as [string, { from: readonly string[] | '*'; to: string; rfc: string }][]) {
      if (spec.from === '*') {
        anywhere.push(cause);
        continue;
      }
      for (const from of spec.from) {
        const to = spec.to === 'same' ? from : spec.to;
        const key = `${from}>${to}`;
        const edge = edges.get(key) ?? { from, to, causes: [], rfc: spec.rfc };
        edge.causes.push(cause);
        edges.set(key, edge);
      }
    }
    const height = states.length * (BOX_HEIGHT + GAP) + 10;
    const width = LEFT + BOX_WIDTH + 110;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${protocol.toUpperCase()} states: ${states.join(', ')}`);
    svg.classList.add('diagram');
    const defs = document.createElementNS(SVG, 'defs');
    defs.innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker>';
    svg.append(defs);
    const top = (state: string) => 5 + position(state) * (BOX_HEIGHT + GAP);
    this.edges.clear();
    this.boxes.clear();
    for (const edge of edges.values()) {
      const a = position(edge.from);
      const b = position(edge.to);
      const path = document.createElementNS(SVG, 'path');
      let d: string;
      if (a === b) {
        const y = top(edge.from) + 6;
        const x = LEFT + BOX_WIDTH;
        d = `M${x},${y} C${x + 30},${y - 14} ${x + 30},${y + 30} ${x},${y + 16}`;
      } else {
        const forward = b > a;
        const x = forward ? LEFT + BOX_WIDTH : LEFT;
        const y1 = top(edge.from) + BOX_HEIGHT / 2;
        const y2 = top(edge.to) + BOX_HEIGHT / 2;
        const bend = (forward ? 1 : -1) * (18 + Math.abs(b - a) * 14);
        d = `M${x},${y1} C${x + bend},${y1} ${x + bend},${y2} ${x},${y2}`;
      }
      path.setAttribute('d', d);
      path.setAttribute('marker-end', 'url(#arrow)');
      path.classList.add('edge');
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${edge.from} → ${edge.to}: ${edge.causes.join(', ')} (${edge.rfc})`;
      path.append(title);
      svg.append(path);
      this.edges.set(`${edge.from}>${edge.to}`, path);
    }
    for (const state of states) {
      const group = document.createElementNS(SVG, 'g');
      group.classList.add('state');
      group.dataset.state = state;
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(LEFT));
      rect.setAttribute('y', String(top(state)));
      rect.setAttribute('width', String(BOX_WIDTH));
      rect.setAttribute('height', String(BOX_HEIGHT));
      rect.setAttribute('rx', '6');
      const text = document.createElementNS(SVG, 'text');
      text.setAttribute('x', String(LEFT + BOX_WIDTH / 2));
      text.setAttribute('y', String(top(state) + BOX_HEIGHT / 2 + 5));
      text.setAttribute('text-anchor', 'middle');
      text.textContent = state;
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${state} (${data.stateRfc[state as keyof typeof data.stateRfc]})`;
      group.append(rect, text, title);
      svg.append(group);
      this.boxes.set(state, group);
    }
    this.host.replaceChildren(svg);
    const note = document.createElement('p');
    note.className = 'caption';
    note.textContent = `From any state to CLOSED: ${anywhere.join(', ')}.`;
    this.host.append(note);
    this.svg = svg;
    this.caption.textContent = '';
  }

  /** Highlights the current state. */
  setState(state: string): void {
    for (const [name, box] of this.boxes) box.classList.toggle('current', name === state);
    this.name.textContent = state;
    this.svg?.setAttribute('data-state', state);
  }

  /** A new session (another target, a lesson, a server restart): no transition has happened in it yet. */
  forgetTransition(): void {
    for (const edge of this.edges.values()) edge.classList.remove('last');
    this.caption.textContent = '';
  }

  /** Animates the edge of a transition that just happened, and says what caused it. */
  transition(event: TransitionEvent): void {
    for (const edge of this.edges.values()) edge.classList.remove('last');
    const edge = this.edges.get(`${event.from}>${event.to}`);
    if (edge) {
      // Restart the animation even when the same edge fires twice.
      void edge.getBoundingClientRect();
      edge.classList.add('last');
    }
    this.caption.textContent = `last: ${event.from} → ${event.to} (${event.cause}, ${event.rfc})`;
    this.setState(event.to);
  }
}
