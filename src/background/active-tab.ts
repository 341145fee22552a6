/**
 * The symbol of the tab the trader is looking at. A hotkey pressed on a Binance USD-M futures page or a
 * TradingView chart of a Binance perpetual trades that page's symbol, not the ticket's. The URL is the only input:
 * the hotkey grants `activeTab` for that one tab (https://developer.chrome.com/docs/extensions/develop/concepts/activeTab),
 * so no host permission and no content script is needed. Pure: no chrome.*, no I/O.
 */

/**
 * A USD-M perpetual symbol: the contract trades against USDT or USDC (Binance lists USD-M perpetuals in both
 * margins). Delivery contracts (`BTCUSDT_250926`) and COIN-M (`BTCUSD_PERP`) carry an underscore and are refused,
 * as is anything the order contract's `^[A-Z0-9]{2,20}$` would refuse.
 */
const PERPETUAL = /^[A-Z0-9]{2,16}(USDT|USDC)$/;

/** Binance's futures trading pages: mainnet, the demo-trading site and the old futures testnet. */
const BINANCE_HOSTS = new Set(['www.binance.com', 'binance.com', 'demo.binance.com', 'testnet.binancefuture.com']);

/** `/en/futures/BTCUSDT`, `/zh-CN/futures/BTCUSDT`, or `/futures/BTCUSDT` without a language. */
const BINANCE_FUTURES_PATH = /^\/(?:[a-z]{2}(?:-[A-Za-z]{2,4})?\/)?futures\/([A-Za-z0-9]+)\/?$/;

/** TradingView's Binance USD-M perpetuals: `BINANCE:BTCUSDT.P`, or the older `BINANCE:BTCUSDTPERP`. */
const TRADINGVIEW_SYMBOL = /^BINANCE:([A-Z0-9]+?)(?:\.P|PERP)$/;

function perpetual(candidate: string): string | null {
  const symbol = candidate.toUpperCase();
  return PERPETUAL.test(symbol) ? symbol : null;
}

function isTradingViewHost(host: string): boolean {
  // Regional editions (in.tradingview.com, uk.tradingview.com) serve the same chart page.
  return host === 'tradingview.com' || /^[a-z]{2,3}\.tradingview\.com$/.test(host);
}

/**
 * The USD-M perpetual a page shows, or null when the URL is not a Binance futures page or a TradingView chart of
 * a Binance perpetual (spot pages, other sites, other exchanges, garbage). Only https pages count.
 */
export function symbolFromUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:') return null;
  const host = parsed.hostname.toLowerCase();
  if (BINANCE_HOSTS.has(host)) {
    const match = BINANCE_FUTURES_PATH.exec(parsed.pathname);
    return match?.[1] === undefined ? null : perpetual(match[1]);
  }
  if (isTradingViewHost(host) && /^\/chart(?:\/|$)/.test(parsed.pathname)) {
    // URLSearchParams decodes `BINANCE%3ABTCUSDTPERP` to `BINANCE:BTCUSDTPERP`. A plain `BINANCE:BTCUSDT` is the
    // spot market on TradingView, so it is not taken as the futures symbol.
    const match = TRADINGVIEW_SYMBOL.exec((parsed.searchParams.get('symbol') ?? '').toUpperCase());
    return match?.[1] === undefined ? null : perpetual(match[1]);
  }
  return null;
}
